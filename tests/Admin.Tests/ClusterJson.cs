namespace RedWhite.Admin.Tests;

/// <summary>Cluster bodies as a release pipeline would send them.</summary>
public static class ClusterJson
{
    public static string Blue(string id = "blue-2.0", string state = "canary", string builds = "[2.0.0,3.0.0)", string extra = "") => $$"""
        {
          "id": "{{id}}",
          "color": "blue",
          "serverVersion": "2.0.0",
          "configVersion": "sha256-blue",
          "clientBuilds": "{{builds}}",
          "platforms": ["ios"],
          "state": "{{state}}",
          "destinations": { "b1": "http://127.0.0.1:7301/" },
          "autoScalingGroup": "game-blue"{{extra}}
        }
        """;
}
