# spate as one self-contained binary.
#   docker build -t spate .
#   docker run --rm spate run /app/examples/wordcount.ts -- --top 10
# Build stage: `deno compile` downloads its runtime (denort), so it needs internet.
FROM denoland/deno:2.9.6 AS build
WORKDIR /app
COPY package.json deno.json deno.lock ./
COPY core ./core
COPY cli ./cli
COPY nodes ./nodes
COPY examples ./examples
COPY mod.ts ./
RUN deno install
RUN deno task compile

# Runtime stage: glibc + libgcc are all the compiled binary needs. The examples
# are embedded in the binary at their build path (/app/examples).
FROM gcr.io/distroless/cc-debian12
COPY --from=build /app/dist/spate /usr/local/bin/spate
WORKDIR /data
EXPOSE 8081
ENTRYPOINT ["/usr/local/bin/spate"]
CMD ["help"]
