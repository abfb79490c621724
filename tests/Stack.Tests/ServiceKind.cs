namespace RedWhite.Stack.Tests;

/// <summary>The three services of the product.</summary>
public enum ServiceKind
{
    Gateway,
    Discovery,
    Admin,
}
