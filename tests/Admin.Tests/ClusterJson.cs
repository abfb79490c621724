namespace RedWhite.Admin.Tests;

/// <summary>Cluster bodies as a release pipeline would send them.</summary>
public static class ClusterJson
{
    /// <summary>The config blue bodies name; <see cref="AdminApp"/> publishes it.</summary>
    public static readonly string BlueConfig = RedWhite.TestKit.TestRegistry.ConfigOf("blue");

    public static string Blue(string id = "blue-2.0", string state = "canary", string builds = "[2.0.0,3.0.0)", string extra = "") => $$"""
        {
          "id": "{{id}}",
          "color": "blue",
          "serverVersion": "2.0.0",
          "configVersion": "{{BlueConfig}}",
          "clientBuilds": "{{builds}}",
          "platforms": ["ios"],
          "state": "{{state}}",
          "destinations": { "b1": "http://127.0.0.1:7301/" },
          "autoScalingGroup": "game-blue"{{extra}}
        }
        """;
}
