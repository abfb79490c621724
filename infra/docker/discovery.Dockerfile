# The Discovery, published ReadyToRun (warm at its first request), run as a non-root user on a read-only root
# filesystem: it writes only under /tmp (its registry snapshot when on Redis), so mount a tmpfs there.
# Build from the repository root:  docker build -f infra/docker/discovery.Dockerfile -t redwhite/discovery .
# Serves logins, configs and heartbeats on 8080, Prometheus /metrics on 9464. Readiness: /readyz.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files alone, so a code change does not invalidate the package layer.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/Core/Core.csproj src/Core/
COPY src/ServiceDefaults/ServiceDefaults.csproj src/ServiceDefaults/
COPY src/Registry/Registry.csproj src/Registry/
COPY src/Server/Server.csproj src/Server/
COPY src/Discovery/Discovery.csproj src/Discovery/
# ReadyToRun at restore too: it fetches the crossgen2 pack that the --no-restore publish below compiles with.
RUN dotnet restore src/Discovery/Discovery.csproj -r linux-x64 -p:PublishReadyToRun=true
COPY src/Core/ src/Core/
COPY src/ServiceDefaults/ src/ServiceDefaults/
COPY src/Registry/ src/Registry/
COPY src/Server/ src/Server/
COPY src/Discovery/ src/Discovery/
RUN dotnet publish src/Discovery/Discovery.csproj -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true --no-restore -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS final
WORKDIR /app
COPY --from=build /app ./
# The image's non-root user (uid 1654); nothing in /app is writable by it.
USER $APP_UID
# TC_CallCountingDelayMs=0: hot code is promoted to optimized code at once rather than after a quiet spell, which
# under load never comes; with the ReadyToRun publish it cut the time to full speed from ~6-12 s to ~3-4 s.
ENV ASPNETCORE_URLS=http://+:8080 \
    Management__Urls=http://+:9464 \
    DOTNET_gcServer=1 \
    DOTNET_TC_CallCountingDelayMs=0
EXPOSE 8080 9464
STOPSIGNAL SIGTERM
ENTRYPOINT ["dotnet", "RedWhite.Discovery.dll"]
