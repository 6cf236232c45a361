"""python-socketio server driven by the e2e harness over stdin/stdout.

The Socket.IO protocol is entirely python-socketio's (aiohttp + python-engineio): this process only
forwards what happens on the server to the harness (one JSON object per line on stdout) and carries out
the harness's orders (one JSON object per line on stdin): emit, emit with an ack, answer an ack,
accept or refuse a namespace connection, disconnect a socket, close an Engine.IO connection, shut down.

Binary values travel as {"\\u0000bin": "<base64>"} in both directions.

Usage: server.py --port N --options '{"pingInterval": 100, ...}'
The first line on stdout is {"ev": "listening", "port": N}.
"""

import argparse
import asyncio
import base64
import json
import logging
import sys
import urllib.parse

import aiohttp.web
import engineio.async_socket
import engineio.packet
import engineio.payload
import socketio
import socketio.packet

BIN = "\u0000bin"
PACKET_NAMES = ["open", "close", "ping", "pong", "message", "upgrade", "noop"]

# python-socketio's disconnect reasons, named as socket.io 4.8 names them
REASONS = {
    "client disconnect": "client namespace disconnect",
    "server disconnect": "server namespace disconnect",
}


def encode(value):
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {BIN: base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    return value


def decode(value):
    if isinstance(value, dict):
        if len(value) == 1 and BIN in value:
            return base64.b64decode(value[BIN])
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def send(message):
    sys.stdout.write(json.dumps(message, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def headers_of(environ):
    out = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            out[key[5:].lower().replace("_", "-")] = value
    return out


class Bridge:
    """State shared by the server hooks and the command reader."""

    def __init__(self):
        self.sio = None
        self.pending_connect = {}  # request id -> future of the harness's decision
        self.pending_acks = {}  # ack id -> future of the harness's ack arguments
        self.ready = set()  # (namespace, sid) whose CONNECT packet has been sent
        self.backlog = {}  # (namespace, sid) -> emits ordered before the CONNECT packet went out
        self.watch_packets = set()  # Engine.IO sids whose received packets are reported
        self.eio_of = {}  # (namespace, sid) -> Engine.IO sid
        self.forced = set()  # Engine.IO sids closed by a close-transport order
        self.shutting_down = False
        self.next_id = 0

    def new_id(self):
        self.next_id += 1
        return self.next_id


bridge = Bridge()


# Engine.IO hooks: transport upgrades and received packets are reported to the harness.
def _get_upgraded(self):
    return self.__dict__.get("_bridge_upgraded", False)


def _set_upgraded(self, value):
    before = self.__dict__.get("_bridge_upgraded", False)
    self.__dict__["_bridge_upgraded"] = value
    if value and not before and getattr(self, "connected", False):
        send({"ev": "transport", "eioSid": self.sid, "transport": "websocket"})


engineio.async_socket.AsyncSocket.upgraded = property(_get_upgraded, _set_upgraded)

# python-engineio refuses a long-polling POST of more than 16 packets ("Too many packets in payload");
# Socket.IO clients batch everything emitted meanwhile into one POST, and the e2e tests emit 200 events
# at once. Raising this class attribute is python-engineio's documented way to accept such clients.
engineio.payload.Payload.max_decode_packets = 1000
_original_receive = engineio.async_socket.AsyncSocket.receive


async def _receive(self, pkt):
    if self.sid in bridge.watch_packets:
        send({"ev": "packet", "eioSid": self.sid, "type": PACKET_NAMES[pkt.packet_type]})
    return await _original_receive(self, pkt)


engineio.async_socket.AsyncSocket.receive = _receive


class BridgeServer(socketio.AsyncServer):
    async def _handle_eio_connect(self, eio_sid, environ):
        await super()._handle_eio_connect(eio_sid, environ)
        send({"ev": "eio-open", "eioSid": eio_sid})

    async def _handle_eio_disconnect(self, eio_sid, reason):
        await super()._handle_eio_disconnect(eio_sid, reason)
        bridge.watch_packets.discard(eio_sid)
        send({"ev": "eio-close", "eioSid": eio_sid, "reason": reason})

    async def _handle_event(self, eio_sid, namespace, id, data):
        namespace = namespace or "/"
        sid = self.manager.sid_from_eio_sid(eio_sid, namespace)
        if sid is None or not self.manager.is_connected(sid, namespace):
            return
        ack = None
        if id is not None:
            ack = bridge.new_id()
            future = asyncio.get_running_loop().create_future()
            bridge.pending_acks[ack] = future

            async def answer():
                try:
                    args = await future
                except asyncio.CancelledError:
                    return
                await self._send_packet(
                    eio_sid, self.packet_class(socketio.packet.ACK, namespace=namespace, id=id, data=args)
                )

            asyncio.get_running_loop().create_task(answer())
        send({"ev": "event", "nsp": namespace, "sid": sid, "event": data[0], "args": encode(data[1:]), "ack": ack})


def eio_socket(eio_sid):
    try:
        return bridge.sio.eio._get_socket(eio_sid)
    except KeyError:
        return None


async def on_connect(namespace, sid, environ, auth):
    eio_sid = bridge.sio.manager.eio_sid_from_sid(sid, namespace)
    bridge.eio_of[(namespace, sid)] = eio_sid
    sock = eio_socket(eio_sid)
    request = bridge.new_id()
    future = asyncio.get_running_loop().create_future()
    bridge.pending_connect[request] = future
    send(
        {
            "ev": "connect-request",
            "req": request,
            "nsp": namespace,
            "sid": sid,
            "eioSid": eio_sid,
            "auth": encode(auth if auth is not None else {}),
            "query": dict(urllib.parse.parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)),
            "headers": headers_of(environ),
            "transport": "websocket" if sock is not None and sock.upgraded else "polling",
        }
    )
    decision = await future
    if not decision.get("ok"):
        if "data" in decision:
            raise socketio.exceptions.ConnectionRefusedError(decision.get("message", ""), decode(decision["data"]))
        raise socketio.exceptions.ConnectionRefusedError(decision.get("message", ""))
    # The CONNECT packet goes out right after this handler returns; emits the harness ordered in the
    # meantime wait for it (see drain_backlog).
    asyncio.get_running_loop().create_task(drain_backlog(namespace, sid))
    return True


async def drain_backlog(namespace, sid):
    for _ in range(200):
        if bridge.sio.manager.is_connected(sid, namespace):
            break
        await asyncio.sleep(0.005)
    key = (namespace, sid)
    while bridge.backlog.get(key):
        command = bridge.backlog[key].pop(0)
        await do_emit(command)
    bridge.backlog.pop(key, None)
    bridge.ready.add(key)


async def on_disconnect(namespace, sid, reason):
    bridge.ready.discard((namespace, sid))
    bridge.backlog.pop((namespace, sid), None)
    eio_sid = bridge.eio_of.pop((namespace, sid), None)
    if bridge.shutting_down:
        reason = "server shutting down"
    elif eio_sid in bridge.forced and reason == "server disconnect":
        reason = "forced close"
    send({"ev": "disconnect", "nsp": namespace, "sid": sid, "reason": REASONS.get(reason, reason)})


async def do_emit(command):
    args = decode(command.get("args") or [])
    callback = None
    if command.get("ack") is not None:
        ack = command["ack"]

        def callback(*answer):
            send({"ev": "ack", "ack": ack, "args": encode(list(answer))})

    data = tuple(args) if args else None
    await bridge.sio.emit(
        command["event"], data=data, to=command.get("sid"), namespace=command.get("nsp", "/"), callback=callback
    )


async def handle(command, shutdown):
    op = command.get("op")
    if op == "decision":
        future = bridge.pending_connect.pop(command["req"], None)
        if future is not None and not future.done():
            future.set_result(command)
    elif op == "ack":
        future = bridge.pending_acks.pop(command["ack"], None)
        if future is not None and not future.done():
            future.set_result(decode(command.get("args") or []))
    elif op == "emit":
        sid = command.get("sid")
        key = (command.get("nsp", "/"), sid)
        if sid is not None and key not in bridge.ready:
            bridge.backlog.setdefault(key, []).append(command)
        else:
            await do_emit(command)
    elif op == "disconnect":
        await bridge.sio.disconnect(command["sid"], namespace=command.get("nsp", "/"))
    elif op == "close-transport":
        # like socket.io's socket.conn.close(): the connection itself is closed
        eio_sid = command["eioSid"]
        sock = eio_socket(eio_sid)
        bridge.forced.add(eio_sid)
        await bridge.sio.eio.disconnect(eio_sid)
        if sock is not None and sock.upgraded:
            # python-engineio's websocket writer closes the websocket when it next wakes up (at the
            # latest after pingInterval + pingTimeout); wake it now
            sock.queue.put_nowait(None)
    elif op == "watch-packets":
        bridge.watch_packets.add(command["eioSid"])
    elif op == "shutdown":
        shutdown.set()
    else:
        logging.warning("unknown command %r", command)


async def read_commands(shutdown):
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=1 << 28)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while True:
        line = await reader.readline()
        if not line:
            shutdown.set()
            return
        try:
            command = json.loads(line)
        except ValueError:
            logging.warning("ignoring a line that is not JSON")
            continue
        try:
            await handle(command, shutdown)
        except Exception:  # a failed order is reported on stderr, the server keeps running
            logging.exception("command %r failed", command.get("op"))


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--options", default="{}")
    args = parser.parse_args()
    options = json.loads(args.options)

    kwargs = {"async_mode": "aiohttp", "cors_allowed_origins": "*", "namespaces": "*"}
    if "pingInterval" in options:
        kwargs["ping_interval"] = options["pingInterval"] / 1000
    if "pingTimeout" in options:
        kwargs["ping_timeout"] = options["pingTimeout"] / 1000
    if "maxHttpBufferSize" in options:
        kwargs["max_http_buffer_size"] = int(options["maxHttpBufferSize"])
    sio = BridgeServer(**kwargs)
    bridge.sio = sio
    sio.on("connect", on_connect, namespace="*")
    sio.on("disconnect", on_disconnect, namespace="*")

    app = aiohttp.web.Application(client_max_size=1 << 28)
    sio.attach(app)
    runner = aiohttp.web.AppRunner(app, handle_signals=False)
    await runner.setup()
    site = aiohttp.web.TCPSite(runner, "127.0.0.1", args.port, reuse_address=True)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    send({"ev": "listening", "port": port})

    shutdown = asyncio.Event()
    reader = asyncio.get_running_loop().create_task(read_commands(shutdown))
    await shutdown.wait()
    # like io.close(): every client is disconnected, then the HTTP server closes
    bridge.shutting_down = True
    for eio_sid in list(sio.eio.sockets):
        sock = eio_socket(eio_sid)
        try:
            await asyncio.wait_for(sio.eio.disconnect(eio_sid), 1)
        except Exception:
            pass
        if sock is not None and sock.upgraded:
            sock.queue.put_nowait(None)
    await sio.shutdown()
    await runner.cleanup()
    reader.cancel()
    send({"ev": "stopped"})


if __name__ == "__main__":
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    asyncio.run(main())
