# Independent XMPP clients for interop tests (Debian python3-slixmpp), driven by test/support/slixmpp.ts.
# One process holds one or many accounts; commands arrive on stdin and events leave on stdout, one
# JSON object per line, each event naming its "account" (bare JID).
#
# usage: /usr/bin/python3 slixmpp_client.py HOST PORT [--receipts] JID PASSWORD [JID PASSWORD ...]
#   --receipts: the clients answer XEP-0184 receipt requests (slixmpp's xep_0184 plugin)
# commands (each may name an "account"; default the first; "seq" is echoed in {"event": "ack", "seq"}):
#   {"cmd": "send", "to", "body", "type"?, "thread"?, "reply_id"?}   reply_id adds an XEP-0461 <reply>
#   {"cmd": "reply", "to", "body"}   answers the last message from "to" with slixmpp's Message.reply()
#   {"cmd": "raw", "data"}           writes raw bytes on the client's stream (bad input tests)
#   {"cmd": "burst", "to", "count", "prefix"}  sends count chats "prefix i send-time-ms" (bench)
#   {"cmd": "presence", "to"?, "type"?, "show"?, "status"?}  {"cmd": "approve", "jid"}
#   {"cmd": "auto_approve", "value": bool}  {"cmd": "pep_grant", "node", "publisher"}  {"cmd": "quit"}
# events: online, message {from, to, type, id, body, subject, thread, extra[], t (receive time, ms)},
#         pubsub {from, xml},
#         error {from, id, condition} (a message bounced to us),
#         presence {from, to, type, show, status}, subscribe {from}, ack {seq, error?}, failed {reason},
#         disconnected

import asyncio
import json
import logging
import sys
import threading
import time

import slixmpp
from slixmpp.exceptions import IqError, IqTimeout
from slixmpp.xmlstream import ET, tostring
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import MatchXPath

TEXT_CHILDREN = {"body", "subject", "thread"}
NS_PUBSUB = "http://jabber.org/protocol/pubsub"
NS_EVENT = NS_PUBSUB + "#event"


def emit(event, **fields):
    sys.stdout.write(json.dumps({"event": event, **fields}) + "\n")
    sys.stdout.flush()


def local_name(tag):
    return tag.split("}", 1)[1] if tag.startswith("{") else tag


class Client(slixmpp.ClientXMPP):
    def __init__(self, jid, password, address, receipts):
        super().__init__(jid, password)
        self.account = self.boundjid.bare
        self.address = address
        self.auto_approve = False
        self.announced = False
        self.last_from = {}
        if receipts:
            self.register_plugin("xep_0184")
            self.plugin["xep_0184"].auto_ack = True
            self.plugin["xep_0184"].auto_request = False
        # None: neither accept nor refuse by itself; the test decides (approve / auto_approve)
        self.roster.auto_authorize = None
        self.roster.auto_subscribe = False
        self.add_event_handler("session_start", self.on_start)
        self.add_event_handler("message", self.on_message)
        self.add_event_handler("message_error", self.on_message_error)
        self.add_event_handler("presence_subscribe", self.on_subscribe)
        self.add_event_handler("presence", self.on_presence)
        self.add_event_handler("failed_auth", lambda _: self.emit("failed", reason="auth"))
        self.add_event_handler("disconnected", self.on_disconnected)
        self.register_handler(
            Callback("pubsub", MatchXPath("{jabber:client}message/{%s}event" % NS_EVENT), self.on_pubsub)
        )
        self.quitting = False
        self.finished = asyncio.Future()

    def emit(self, event, **fields):
        emit(event, account=self.account, **fields)

    async def on_start(self, _event):
        await self.get_roster()
        self.announced = False
        self.send_presence()

    def on_disconnected(self, _event):
        self.emit("disconnected")
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
            if not self.finished.done():
                self.finished.set_result(True)
        else:
            self.disconnect()

    def on_message(self, msg):
        self.last_from[msg["from"].bare] = msg
        extra = [
            tostring(child)
            for child in msg.xml
            if not (local_name(child.tag) in TEXT_CHILDREN and child.tag.startswith("{jabber:client}"))
        ]
        fields = {"from": str(msg["from"]), "to": str(msg["to"]), "type": msg["type"], "id": msg["id"]}
        fields.update(body=msg["body"], subject=msg["subject"], thread=msg["thread"], extra=extra)
        fields["t"] = time.time() * 1000
        self.emit("message", **fields)

    def on_message_error(self, msg):
        # read the condition ourselves: slixmpp 1.8 does not know RFC 6120's newer ones (policy-violation)
        error = msg.xml.find("{jabber:client}error")
        conditions = [
            local_name(c.tag) for c in (error if error is not None else []) if c.tag.startswith("{urn:ietf:params:xml:ns:xmpp-stanzas}") and local_name(c.tag) != "text"
        ]
        condition = conditions[0] if conditions else ""
        self.emit("error", **{"from": str(msg["from"]), "id": msg["id"], "condition": condition})

    def on_pubsub(self, msg):
        self.emit("pubsub", **{"from": str(msg["from"]), "xml": tostring(msg.xml)})

    def on_subscribe(self, pres):
        self.emit("subscribe", **{"from": str(pres["from"])})
        if self.auto_approve:
            self.send_presence(pto=pres["from"].bare, ptype="subscribed")

    def on_presence(self, pres):
        if not self.announced and pres["from"] == self.boundjid and pres["type"] == "available":
            # our own available presence came back: the server now routes messages to this session
            self.announced = True
            self.emit("online", jid=str(self.boundjid))
        fields = {"from": str(pres["from"]), "to": str(pres["to"]), "type": pres["type"]}
        self.emit("presence", show=pres["show"], status=pres["status"], **fields)

    async def pep_grant(self, node, publisher):
        """Creates our PEP node, makes `publisher` a publisher of it (XEP-0060 §8.9), subscribes us."""
        own = self.boundjid.bare
        steps = [
            (True, f"<pubsub xmlns='{NS_PUBSUB}'><create node='{node}'/></pubsub>"),
            (
                False,
                f"<pubsub xmlns='{NS_PUBSUB}#owner'><affiliations node='{node}'>"
                f"<affiliation jid='{publisher}' affiliation='publisher'/></affiliations></pubsub>",
            ),
            (False, f"<pubsub xmlns='{NS_PUBSUB}'><subscribe node='{node}' jid='{own}'/></pubsub>"),
        ]
        for may_exist, payload in steps:
            iq = self.make_iq_set(ito=own)
            iq.append(ET.fromstring(payload))
            try:
                await iq.send(timeout=10)
            except IqError as err:
                if not (may_exist and err.condition == "conflict"):
                    raise

    async def command(self, cmd):
        name = cmd.get("cmd")
        if name == "send":
            msg = self.make_message(mto=cmd["to"], mbody=cmd["body"], mtype=cmd.get("type", "chat"))
            if cmd.get("thread"):
                msg["thread"] = cmd["thread"]
            if cmd.get("reply_id"):
                msg.append(ET.fromstring(f"<reply xmlns='urn:xmpp:reply:0' id='{cmd['reply_id']}' to='{cmd['to']}'/>"))
            msg.send()
        elif name == "burst":
            # client-to-client load for the bench: bodies carry their send time (ms) last
            for i in range(int(cmd["count"])):
                self.send_message(mto=cmd["to"], mbody=f"{cmd['prefix']} {i} {time.time() * 1000}", mtype="chat")
        elif name == "reply":
            self.last_from[cmd["to"]].reply(cmd["body"]).send()
        elif name == "raw":
            self.send_raw(cmd["data"])
        elif name == "presence":
            kwargs = {}
            for key, arg in (("to", "pto"), ("type", "ptype"), ("show", "pshow"), ("status", "pstatus")):
                if cmd.get(key):
                    kwargs[arg] = cmd[key]
            self.send_presence(**kwargs)
        elif name == "approve":
            self.send_presence(pto=cmd["jid"], ptype="subscribed")
        elif name == "auto_approve":
            self.auto_approve = bool(cmd.get("value", True))
        elif name == "pep_grant":
            await self.pep_grant(cmd["node"], cmd["publisher"])
        elif name == "quit":
            self.quit()


async def run_command(clients, cmd):
    account = cmd.get("account")
    client = clients.get(account) if account else next(iter(clients.values()))
    error = None
    try:
        if client is None:
            raise KeyError("no such account: " + str(account))
        await client.command(cmd)
    except (IqError, IqTimeout, KeyError, ValueError) as err:
        error = repr(err)
    if "seq" in cmd:
        emit("ack", seq=cmd["seq"], **({"error": error} if error else {}))


def read_stdin(clients, loop):
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            cmd = json.loads(line)
        except ValueError:
            emit("failed", reason="bad command: " + line[:200])
            continue
        if cmd.get("cmd") == "quit" and not cmd.get("account"):
            break
        loop.call_soon_threadsafe(lambda c=cmd: asyncio.ensure_future(run_command(clients, c)))
    for client in clients.values():
        loop.call_soon_threadsafe(client.quit)


def main():
    host, port, *rest = sys.argv[1:]
    receipts = "--receipts" in rest
    rest = [a for a in rest if a != "--receipts"]
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    clients = {}
    for jid, password in zip(rest[0::2], rest[1::2]):
        client = Client(jid, password, (host, int(port)), receipts)
        clients[client.account] = client
    threading.Thread(target=read_stdin, args=(clients, loop), daemon=True).start()
    for client in clients.values():
        client.start()
    loop.run_until_complete(asyncio.gather(*(c.finished for c in clients.values())))


if __name__ == "__main__":
    main()
