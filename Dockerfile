# Builds the rapport binary; compose.yaml runs two replicas of it.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/release/rapport /usr/local/bin/rapport
EXPOSE 8080
ENTRYPOINT ["rapport"]
CMD ["serve", "--no-demo"]
