# Build a static slobudget binary, then ship it alone on a minimal base image
# as a non-root user. Build information for `slobudget version` and
# slobudget_build_info comes from build args, e.g.
#   docker build --build-arg VERSION=$(git describe --tags --always) \
#     --build-arg REVISION=$(git rev-parse HEAD) --build-arg BRANCH=$(git rev-parse --abbrev-ref HEAD) \
#     --build-arg BUILD_USER=$(whoami)@$(hostname) --build-arg BUILD_DATE=$(date -u +%Y%m%d-%H:%M:%S) .
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ARG REVISION=unknown
ARG BRANCH=unknown
ARG BUILD_USER=docker
ARG BUILD_DATE=unknown
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath \
      -ldflags "-s -w \
        -X github.com/prometheus/common/version.Version=${VERSION} \
        -X github.com/prometheus/common/version.Revision=${REVISION} \
        -X github.com/prometheus/common/version.Branch=${BRANCH} \
        -X github.com/prometheus/common/version.BuildUser=${BUILD_USER} \
        -X github.com/prometheus/common/version.BuildDate=${BUILD_DATE}" \
      -o /out/slobudget ./cmd/slobudget

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/slobudget /usr/local/bin/slobudget
COPY examples/slobudget.yml /etc/slobudget/slobudget.yml
USER 65532:65532
EXPOSE 9912
ENTRYPOINT ["/usr/local/bin/slobudget"]
CMD ["serve", "--config.file=/etc/slobudget/slobudget.yml", "--prometheus.url=http://prometheus:9090"]
