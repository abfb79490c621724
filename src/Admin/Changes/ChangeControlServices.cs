using RedWhite.ServiceDefaults;

namespace RedWhite.Admin.Changes;

/// <summary>Registration of approvals, freeze windows, imports and the proposal applier (the proposal store is the registry's, <c>AddRegistry</c>).</summary>
internal static class ChangeControlServices
{
    public static IHostApplicationBuilder AddChangeControl(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddValidatedOptions<ChangeControlOptions, ChangeControlOptionsValidator>(ChangeControlOptions.Section);
        builder.Services.AddSingleton<FreezeCalendar>();
        builder.Services.AddSingleton<ProposalBook>();
        builder.Services.AddSingleton<ChangeControl>();
        builder.Services.AddSingleton<ProposalApplier>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ProposalApplier>());

        // Other environments' Admins are configured, not asked for: no redirects followed, a bounded answer.
        builder.Services.AddHttpClient(RegistryImport.Client, client =>
            {
                client.Timeout = TimeSpan.FromSeconds(10);
                client.MaxResponseContentBufferSize = RegistryImport.MaxDocumentBytes;
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        return builder;
    }
}
