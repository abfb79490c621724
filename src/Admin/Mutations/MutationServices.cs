using Microsoft.Extensions.DependencyInjection.Extensions;
using RedWhite.Core.Validation;

namespace RedWhite.Admin.Mutations;

/// <summary>Registration of the mutation pipeline.</summary>
internal static class MutationServices
{
    public static IHostApplicationBuilder AddRegistryMutations(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<RegistryMutator>();

        // Core's validators name fields in JSON casing once RegistryDocumentValidator is initialised;
        // do it now so body validators built before the first registry load name fields the same way.
        _ = RegistryDocumentValidator.Instance;
        return builder;
    }
}
