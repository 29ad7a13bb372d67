"""The plugin process: go-plugin's handshake with AutoMTLS, and the `tfplugin6.Provider` service.

Terraform starts the plugin with its client certificate in `PLUGIN_CLIENT_CERT`; the plugin answers
on stdout with `1|6|tcp|127.0.0.1:PORT|grpc|<its own certificate, base64 DER>` and then accepts
only that client, over TLS, until Terraform calls `GRPCController.Shutdown`.
"""

# ruff: noqa: N802 - the gRPC service methods carry the protocol's names

from __future__ import annotations

import asyncio
import base64
import json
import os
import ssl
import sys
import tempfile
import threading
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
from tf.gen import grpc_controller_pb2 as controller_pb
from tf.gen import grpc_controller_pb2_grpc as controller_grpc
from tf.gen import grpc_stdio_pb2_grpc as stdio_grpc
from tf.gen import tfplugin_pb2 as pb
from tf.gen import tfplugin_pb2_grpc as plugin_grpc

from tests.support.stub_provider import cty, data_sources, schemas, values

MAGIC_COOKIE = ("TF_PLUGIN_MAGIC_COOKIE", "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2")


def _error(summary: str, detail: str = "") -> Any:
    return pb.Diagnostic(severity=pb.Diagnostic.ERROR, summary=summary, detail=detail)


class Provider(plugin_grpc.ProviderServicer):  # type: ignore[misc]
    """The protocol 6 service for one provider, over its schemas from the test data."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.schema = schemas.load(name)
        self.region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or ""

    def GetMetadata(self, request: Any, context: Any) -> Any:
        return pb.GetMetadata.Response(
            server_capabilities=pb.ServerCapabilities(plan_destroy=True),
            resources=[pb.GetMetadata.ResourceMetadata(type_name=n) for n in sorted(self.schema.resources)],
            data_sources=[pb.GetMetadata.DataSourceMetadata(type_name=n) for n in sorted(self.schema.data_sources)],
        )

    def GetProviderSchema(self, request: Any, context: Any) -> Any:
        return pb.GetProviderSchema.Response(
            provider=schemas.to_proto(pb, self.schema.config),
            provider_meta=schemas.to_proto(pb, {}),
            resource_schemas={n: schemas.to_proto(pb, b, v) for n, (v, b) in self.schema.resources.items()},
            data_source_schemas={n: schemas.to_proto(pb, b, v) for n, (v, b) in self.schema.data_sources.items()},
            server_capabilities=pb.ServerCapabilities(plan_destroy=True),
        )

    def ValidateProviderConfig(self, request: Any, context: Any) -> Any:
        return pb.ValidateProviderConfig.Response()

    def ValidateResourceConfig(self, request: Any, context: Any) -> Any:
        return pb.ValidateResourceConfig.Response()

    def ValidateDataResourceConfig(self, request: Any, context: Any) -> Any:
        return pb.ValidateDataResourceConfig.Response()

    def ConfigureProvider(self, request: Any, context: Any) -> Any:
        config = cty.decode(request.config.msgpack) or {}
        self.region = config.get("region") or self.region
        if self.name == "aws" and not self.region:
            return pb.ConfigureProvider.Response(
                diagnostics=[_error("invalid AWS Region: ", "Set region in the provider block or AWS_REGION, as the real provider asks.")]
            )
        return pb.ConfigureProvider.Response()

    def UpgradeResourceState(self, request: Any, context: Any) -> Any:
        state = json.loads(request.raw_state.json) if request.raw_state.json else None
        return pb.UpgradeResourceState.Response(upgraded_state=pb.DynamicValue(msgpack=cty.encode(state)))

    def ReadResource(self, request: Any, context: Any) -> Any:
        return pb.ReadResource.Response(new_state=request.current_state, private=request.private)

    def PlanResourceChange(self, request: Any, context: Any) -> Any:
        _version, block = self.schema.resources[request.type_name]
        proposed = cty.decode(request.proposed_new_state.msgpack)
        return pb.PlanResourceChange.Response(
            planned_state=pb.DynamicValue(msgpack=cty.encode(values.planned(proposed, block))),
            planned_private=request.prior_private,
        )

    def ApplyResourceChange(self, request: Any, context: Any) -> Any:
        return pb.ApplyResourceChange.Response(
            diagnostics=[_error("apply is not supported", "This is a stub provider for tests: it plans, it never calls AWS.")]
        )

    def ImportResourceState(self, request: Any, context: Any) -> Any:
        return pb.ImportResourceState.Response(diagnostics=[_error("import is not supported", "This is a stub provider for tests.")])

    def ReadDataSource(self, request: Any, context: Any) -> Any:
        _version, block = self.schema.data_sources[request.type_name]
        config = cty.decode(request.config.msgpack)
        try:
            computed = data_sources.read(request.type_name, config, self.region)
        except data_sources.DataSourceError as error:
            return pb.ReadDataSource.Response(diagnostics=[_error(error.summary, error.detail)])
        state = values.fill_computed(
            {**config, **{k: v for k, v in computed.items() if config.get(k) is None}},
            block,
            lambda name, attribute: cty.placeholder(attribute.get("type"), name),
        )
        return pb.ReadDataSource.Response(state=pb.DynamicValue(msgpack=cty.encode(state)))

    def GetFunctions(self, request: Any, context: Any) -> Any:
        return pb.GetFunctions.Response()

    def StopProvider(self, request: Any, context: Any) -> Any:
        return pb.StopProvider.Response()


class _Controller(controller_grpc.GRPCControllerServicer):  # type: ignore[misc]
    def __init__(self, stopped: threading.Event) -> None:
        self.stopped = stopped

    def Shutdown(self, request: Any, context: Any) -> Any:
        self.stopped.set()
        return controller_pb.Empty()


class _Stdio(stdio_grpc.GRPCStdioServicer):  # type: ignore[misc]
    def StreamStdio(self, request: Any, context: Any) -> Any:
        return iter(())  # the stub writes nothing worth forwarding


def serve(provider: str, tls: Path) -> int:
    """Run the plugin for `provider` (`aws` or `archive`) until Terraform shuts it down.

    `tls` holds the server's `cert.pem` and `key.pem` (made once per test session by `certificate.py`).
    """
    if os.environ.get(MAGIC_COOKIE[0]) != MAGIC_COOKIE[1]:
        print("This binary is a plugin. These are not meant to be executed directly.", file=sys.stderr)
        return 1
    stopped = threading.Event()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    plugin_grpc.add_ProviderServicer_to_server(Provider(provider), server)
    controller_grpc.add_GRPCControllerServicer_to_server(_Controller(stopped), server)
    stdio_grpc.add_GRPCStdioServicer_to_server(_Stdio(), server)
    with tempfile.TemporaryDirectory(prefix="stub-provider-") as scratch:
        socket_path = f"{scratch}/grpc.sock"
        server.add_insecure_port(f"unix:{socket_path}")
        server.start()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cadata=os.environ["PLUGIN_CLIENT_CERT"])
        context.load_cert_chain(tls / "cert.pem", tls / "key.pem")
        cert_der = ssl.PEM_cert_to_DER_cert((tls / "cert.pem").read_text())
        context.verify_mode = ssl.CERT_REQUIRED  # only the Terraform process that started us
        context.set_alpn_protocols(["h2"])
        asyncio.run(_serve_tls(context, socket_path, cert_der, stopped))
    server.stop(grace=0.5)
    return 0


async def _serve_tls(context: ssl.SSLContext, upstream: str, cert_der: bytes, stopped: threading.Event) -> None:
    """Accept TLS on a loopback port, print the handshake line, and pass each connection to the gRPC server.

    grpcio's own TLS (BoringSSL) cannot verify go-plugin's client certificate (P-521, which it does not
    accept for client authentication), so Python's ssl module terminates TLS and the gRPC server listens
    on a Unix socket only this process knows.
    """

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, ssl.SSLError):
            pass
        finally:
            writer.close()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_unix_connection(upstream)
        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))

    listener = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=context)
    port = listener.sockets[0].getsockname()[1]
    certificate = base64.b64encode(cert_der).decode().rstrip("=")
    print(f"1|6|tcp|127.0.0.1:{port}|grpc|{certificate}", flush=True)
    parent = os.getppid()
    while not stopped.is_set() and os.getppid() == parent:  # a changed parent: Terraform died without shutting us down
        await asyncio.sleep(0.05)
    listener.close()
