using System.Text;
using RedWhite.Core.Configs;

namespace RedWhite.Core.Tests.Configs;

public sealed class CanonicalJsonTests
{
    private static string Canonical(string json) =>
        Encoding.UTF8.GetString(CanonicalJson.TryCanonicalize(Encoding.UTF8.GetBytes(json), out _, out var detail) ?? throw new InvalidOperationException(detail));

    private static string Address(string json) => CanonicalJson.Address(Encoding.UTF8.GetBytes(Canonical(json)));

    [Fact]
    public void MemberOrderAndSpacing_GiveOneAddress()
    {
        var a = Address("""{"b": 1, "a": {"y": [1, 2], "x": "s"}}""");
        var b = Address("""
            {
              "a" : { "x":"s",  "y":[ 1,2 ] },
              "b":1
            }
            """);

        Assert.Equal(a, b);
        Assert.Equal("""{"a":{"x":"s","y":[1,2]},"b":1}""", Canonical("""{"b": 1, "a": {"y": [1, 2], "x": "s"}}"""));
        Assert.Matches("^sha256-[0-9a-f]{64}$", a);
    }

    [Theory]
    [InlineData("""{"rate": 0.25}""", """{"rate": 0.26}""")]
    [InlineData("""{"rate": 1.0}""", """{"rate": 1}""")]          // numbers exactly as written
    [InlineData("""{"name": "caf\u00e9"}""", """{"name": "café"}""")] // strings exactly as written
    [InlineData("""{"list": [1, 2]}""", """{"list": [2, 1]}""")]    // arrays keep their order
    public void AChangedByteOfAValue_GivesAnotherAddress(string one, string other) =>
        Assert.NotEqual(Address(one), Address(other));

    [Fact]
    public void StringsAndNames_KeepTheirEscapesAndInnerSpaces() =>
        Assert.Equal("""{"a b":"x \"y\"\n","k\u00e9":" "}""", Canonical("""{ "k\u00e9" : " ", "a b" : "x \"y\"\n" }"""));

    [Theory]
    [InlineData("[1, 2]", CanonicalJsonProblem.NotAnObject)]
    [InlineData("\"text\"", CanonicalJsonProblem.NotAnObject)]
    [InlineData("{\"a\": 1,}", CanonicalJsonProblem.Malformed)]
    [InlineData("{\"a\": 1} {}", CanonicalJsonProblem.Malformed)]
    [InlineData("{\"a\": ", CanonicalJsonProblem.Malformed)]
    [InlineData("", CanonicalJsonProblem.Malformed)]
    [InlineData("{\"a\": 1, \"a\": 2}", CanonicalJsonProblem.DuplicateMember)]
    [InlineData("{\"a\": 1, /* c */ \"b\": 2}", CanonicalJsonProblem.Malformed)]
    public void WhatHasNoCanonicalForm_IsRefusedWithTheReason(string json, CanonicalJsonProblem expected)
    {
        Assert.Null(CanonicalJson.TryCanonicalize(Encoding.UTF8.GetBytes(json), out var problem, out var detail));
        Assert.Equal(expected, problem);
        Assert.NotEmpty(detail);
    }

    [Fact]
    public void NestingPastTheLimit_IsMalformed_NotACrash()
    {
        var deep = "{\"a\":" + string.Concat(Enumerable.Repeat("[", 200)) + string.Concat(Enumerable.Repeat("]", 200)) + "}";

        Assert.Null(CanonicalJson.TryCanonicalize(Encoding.UTF8.GetBytes(deep), out var problem, out _));
        Assert.Equal(CanonicalJsonProblem.Malformed, problem);
    }
}
