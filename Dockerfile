# Build a static slobudget binary, then ship it alone on a minimal base image
# as a non-root user.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ARG REVISION=unknown
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath \
      -ldflags "-s -w -X github.com/prometheus/common/version.Version=${VERSION} -X github.com/prometheus/common/version.Revision=${REVISION}" \
      -o /out/slobudget ./cmd/slobudget

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/slobudget /usr/local/bin/slobudget
COPY examples/slobudget.yml /etc/slobudget/slobudget.yml
USER 65532:65532
EXPOSE 9912
ENTRYPOINT ["/usr/local/bin/slobudget"]
CMD ["serve", "--config.file=/etc/slobudget/slobudget.yml", "--prometheus.url=http://prometheus:9090"]
