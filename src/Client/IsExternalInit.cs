#if !NET
namespace System.Runtime.CompilerServices;

/// <summary>Lets records and init-only properties compile for netstandard2.1 (the type ships in .NET 5 and later).</summary>
internal static class IsExternalInit
{
}
#endif
