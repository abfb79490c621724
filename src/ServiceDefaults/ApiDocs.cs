using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.OpenApi;

namespace RedWhite.ServiceDefaults;

/// <summary>
/// A refusal an endpoint (or a group of them) may answer: its status and problem codes. The OpenAPI document lists
/// them under the operation's responses, as <c>application/problem+json</c> with an example.
/// </summary>
/// <param name="Status">The HTTP status.</param>
/// <param name="Codes">The <c>code</c> values the problem may carry.</param>
public sealed record ProblemCodes(int Status, params string[] Codes);

/// <summary>Endpoint metadata: a query flag an endpoint filter reads (so the generator cannot see it), for the API description.</summary>
/// <param name="Name">The query parameter.</param>
/// <param name="Description">What it does.</param>
public sealed record QueryFlag(string Name, string Description);

/// <summary>
/// The OpenAPI document of a service at <c>/openapi/v1.json</c> (Microsoft.AspNetCore.OpenApi), with every refusal an
/// endpoint declares through <see cref="Refuses{TBuilder}"/>, and the contract's summary as its description.
/// </summary>
public static class ApiDocs
{
    /// <summary>Where the document is served.</summary>
    public const string DocumentPath = "/openapi/v1.json";

    /// <summary>Registers the document with <paramref name="title"/> and <paramref name="description"/>.</summary>
    public static IHostApplicationBuilder AddApiDocs(this IHostApplicationBuilder builder, string title, string description)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOpenApi(o =>
        {
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo { Title = title, Version = "v1", Description = description };
                return Task.CompletedTask;
            });
            o.AddOperationTransformer(async (operation, context, cancellationToken) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                AddProblems(operation, metadata.OfType<ProblemCodes>());
                foreach (var flag in metadata.OfType<QueryFlag>())
                {
                    operation.Parameters ??= [];
                    operation.Parameters.Add(new OpenApiParameter
                    {
                        Name = flag.Name,
                        In = ParameterLocation.Query,
                        Required = false,
                        Description = flag.Description,
                        Schema = new OpenApiSchema { Type = JsonSchemaType.Boolean },
                    });
                }

                // Bodies are read by JsonBody<T> (strict JSON, bounded size), which the generator cannot see through.
                var body = metadata.OfType<System.Reflection.MethodInfo>().FirstOrDefault()?.GetParameters()
                    .Select(p => p.ParameterType)
                    .FirstOrDefault(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(JsonBody<>))?.GetGenericArguments()[0];
                if (body is not null && operation.RequestBody is null)
                {
                    operation.RequestBody = new OpenApiRequestBody
                    {
                        Required = true,
                        Content = new Dictionary<string, OpenApiMediaType>
                        {
                            ["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(body, null, cancellationToken) },
                        },
                    };
                }
            });
        });
        return builder;
    }

    /// <summary>Serves the document at <see cref="DocumentPath"/>, to anyone: the contract is public.</summary>
    public static IEndpointConventionBuilder MapApiDocs(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapOpenApi(DocumentPath.Replace("v1", "{documentName}", StringComparison.Ordinal)).AllowAnonymous();
    }

    /// <summary>Declares that the endpoint (or every endpoint of the group) may refuse with <paramref name="status"/> and these codes.</summary>
    public static TBuilder Refuses<TBuilder>(this TBuilder builder, int status, params string[] codes)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.WithMetadata(new ProblemCodes(status, codes));
        return builder;
    }

    /// <summary>The refusals every endpoint that reads a JSON body may answer.</summary>
    public static TBuilder RefusesBadBodies<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.Refuses(StatusCodes.Status400BadRequest, "validation_failed", "invalid_body")
            .Refuses(StatusCodes.Status408RequestTimeout, "request_timeout")
            .Refuses(StatusCodes.Status413PayloadTooLarge, "body_too_large")
            .Refuses(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type");

    private static void AddProblems(OpenApiOperation operation, IEnumerable<ProblemCodes> declared)
    {
        foreach (var group in declared.GroupBy(p => p.Status).OrderBy(g => g.Key))
        {
            var codes = group.SelectMany(p => p.Codes).Distinct(StringComparer.Ordinal).ToList();
            var status = group.Key;
            operation.Responses ??= new OpenApiResponses();
            operation.Responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new OpenApiResponse
            {
                Description = $"{ReasonPhrase(status)}: problem+json with code {string.Join(", ", codes)}.",
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/problem+json"] = new()
                    {
                        Schema = ProblemSchema(codes),
                        Example = new JsonObject
                        {
                            ["type"] = $"https://tools.ietf.org/html/rfc9110",
                            ["title"] = ReasonPhrase(status),
                            ["status"] = status,
                            ["detail"] = "What was wrong and what to do, in words.",
                            ["code"] = codes[0],
                        },
                    },
                },
            };
        }
    }

    private static OpenApiSchema ProblemSchema(List<string> codes) => new()
    {
        Type = JsonSchemaType.Object,
        Required = new HashSet<string> { "status", "title", "code" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer },
            ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["code"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. codes.Select(c => (JsonNode)JsonValue.Create(c))] },
            ["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object | JsonSchemaType.Null,
                Description = "Validation problems: field path → messages.",
                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
            },
        },
    };

    private static string ReasonPhrase(int status) =>
        Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase : $"Status {status}";
}
