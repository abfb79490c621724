# The demo game server (infra/DemoGameServer), for docker-compose.yml: answers game calls and echoes WebSockets,
# naming its color. Not part of the product.
# Build from the repository root:  docker build -f infra/docker/demo-game-server.Dockerfile -t redwhite/demo-game-server .

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/Server/Server.csproj src/Server/
COPY infra/DemoGameServer/DemoGameServer.csproj infra/DemoGameServer/
RUN dotnet restore infra/DemoGameServer/DemoGameServer.csproj -r linux-x64
COPY src/Server/ src/Server/
COPY infra/DemoGameServer/ infra/DemoGameServer/
RUN dotnet publish infra/DemoGameServer/DemoGameServer.csproj -c Release -r linux-x64 --self-contained false --no-restore -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS final
WORKDIR /app
COPY --from=build /app ./
USER $APP_UID
ENV ASPNETCORE_URLS=http://+:8080
EXPOSE 8080
ENTRYPOINT ["dotnet", "RedWhite.DemoGameServer.dll"]
