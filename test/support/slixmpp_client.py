# An independent XMPP client for interop tests (Debian python3-slixmpp), driven by test/support/slixmpp.ts.
# Commands arrive on stdin and events leave on stdout, one JSON object per line.
#
# usage: /usr/bin/python3 slixmpp_client.py JID PASSWORD HOST PORT
# commands: {"cmd": "send", "to", "body", "type"?}  {"cmd": "presence", "to"?, "type"?, "show"?, "status"?}
#           {"cmd": "approve", "jid"}  {"cmd": "auto_approve", "value": bool}  {"cmd": "quit"}
#           each may carry "seq"; it is echoed in {"event": "ack", "seq"} once the command is done.
# events:   online, message {from, to, type, body, extra[]}, presence {from, to, type, show, status},
#           subscribe {from}, ack {seq}, failed {reason}, disconnected

import asyncio
import json
import logging
import sys
import threading

import slixmpp
from slixmpp.xmlstream import tostring

TEXT_CHILDREN = {"body", "subject", "thread"}


def emit(event, **fields):
    sys.stdout.write(json.dumps({"event": event, **fields}) + "\n")
    sys.stdout.flush()


def local_name(tag):
    return tag.split("}", 1)[1] if tag.startswith("{") else tag


class Client(slixmpp.ClientXMPP):
    def __init__(self, jid, password):
        super().__init__(jid, password)
        self.auto_approve = False
        self.announced = False
        # None: neither accept nor refuse by itself; the test decides (approve / auto_approve)
        self.roster.auto_authorize = None
        self.roster.auto_subscribe = False
        self.add_event_handler("session_start", self.on_start)
        self.add_event_handler("message", self.on_message)
        self.add_event_handler("presence_subscribe", self.on_subscribe)
        self.add_event_handler("presence", self.on_presence)
        self.add_event_handler("failed_auth", lambda _: emit("failed", reason="auth"))
        self.add_event_handler("disconnected", self.on_disconnected)
        self.address = None
        self.quitting = False
        self.finished = asyncio.Future()

    async def on_start(self, _event):
        await self.get_roster()
        self.announced = False
        self.send_presence()

    def on_disconnected(self, _event):
        emit("disconnected")
        if self.quitting:
            if not self.finished.done():
                self.finished.set_result(True)
        else:
            # the server went away (e.g. restarted by the test): log in again, as a real client would
            self.loop.call_later(0.3, self.start)

    def start(self):
        self.connect(self.address, use_ssl=False, force_starttls=False, disable_starttls=True)

    def quit(self):
        self.quitting = True
        if self.transport is None:
            self.finished.set_result(True)
        else:
            self.disconnect()

    def on_message(self, msg):
        extra = [
            tostring(child)
            for child in msg.xml
            if not (local_name(child.tag) in TEXT_CHILDREN and child.tag.startswith("{jabber:client}"))
        ]
        emit(
            "message",
            **{"from": str(msg["from"]), "to": str(msg["to"]), "type": msg["type"], "body": msg["body"], "subject": msg["subject"], "extra": extra},
        )

    def on_subscribe(self, pres):
        emit("subscribe", **{"from": str(pres["from"])})
        if self.auto_approve:
            self.send_presence(pto=pres["from"].bare, ptype="subscribed")

    def on_presence(self, pres):
        if not self.announced and pres["from"] == self.boundjid and pres["type"] == "available":
            # our own available presence came back: the server now routes messages to this session
            self.announced = True
            emit("online", jid=str(self.boundjid))
        emit(
            "presence",
            **{
                "from": str(pres["from"]),
                "to": str(pres["to"]),
                "type": pres["type"],
                "show": pres["show"],
                "status": pres["status"],
            },
        )

    def command(self, cmd):
        name = cmd.get("cmd")
        if name == "send":
            self.send_message(mto=cmd["to"], mbody=cmd["body"], mtype=cmd.get("type", "chat"))
        elif name == "presence":
            kwargs = {}
            if cmd.get("to"):
                kwargs["pto"] = cmd["to"]
            if cmd.get("type"):
                kwargs["ptype"] = cmd["type"]
            if cmd.get("show"):
                kwargs["pshow"] = cmd["show"]
            if cmd.get("status"):
                kwargs["pstatus"] = cmd["status"]
            self.send_presence(**kwargs)
        elif name == "approve":
            self.send_presence(pto=cmd["jid"], ptype="subscribed")
        elif name == "auto_approve":
            self.auto_approve = bool(cmd.get("value", True))
        elif name == "quit":
            self.quit()
        if "seq" in cmd:
            emit("ack", seq=cmd["seq"])


def read_stdin(client, loop):
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            cmd = json.loads(line)
        except ValueError:
            emit("failed", reason="bad command: " + line[:200])
            continue
        loop.call_soon_threadsafe(client.command, cmd)
    loop.call_soon_threadsafe(client.quit)


def main():
    jid, password, host, port = sys.argv[1:5]
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    client = Client(jid, password)
    client.address = (host, int(port))
    threading.Thread(target=read_stdin, args=(client, loop), daemon=True).start()
    client.start()
    loop.run_until_complete(client.finished)


if __name__ == "__main__":
    main()
