"""A Bitcoin P2P peer driven by python-bitcoinlib's own message serializers (Debian: python3-bitcoinlib).

Used by interop-python-bitcoinlib.spec.ts to check peerkeeper's sessions against an implementation this
project did not write. It connects to 127.0.0.1:PORT (regtest magic) and plays one role:

  responder  the side peerkeeper dialed: waits for peerkeeper's version, answers version + verack, answers
             pings, pings once, and answers peerkeeper's getaddr with five addresses
  initiator  the side that dialed peerkeeper: sends version first, then getaddr and a ping after verack,
             and answers peerkeeper's pings
  old        an initiator announcing protocol 60002 (python-bitcoinlib's default), expecting to be dropped

Results go to stdout as lines "EVENT <json>" (python-bitcoinlib prints its own notes for commands it does
not know, such as sendaddrv2 and wtxidrelay; the test ignores those lines).
"""
import json
import socket
import sys
import time

import bitcoin
from bitcoin.messages import (MsgSerializable, msg_addr, msg_getaddr, msg_ping, msg_pong, msg_verack,
                              msg_version)
from bitcoin.net import CAddress

OUR_PING_NONCE = 0x1122334455667788


def emit(**fields):
    print('EVENT ' + json.dumps(fields), flush=True)


def version_message(protocol):
    v = msg_version()
    v.nVersion = protocol
    v.nServices = 1 | 8  # NODE_NETWORK | NODE_WITNESS
    v.nStartingHeight = 123
    v.addrTo.ip, v.addrTo.port = '127.0.0.1', 18444
    return v


def gossip(count):
    msg = msg_addr()
    for i in range(count):
        a = CAddress()
        a.nTime = int(time.time())
        a.nServices = 1 | 8
        a.ip, a.port = '203.0.113.%d' % (i + 1), 8333
        msg.addrs.append(a)
    return msg


def main():
    role, port = sys.argv[1], int(sys.argv[2])
    bitcoin.SelectParams('regtest')
    sock = socket.create_connection(('127.0.0.1', port), timeout=15)
    reader = sock.makefile('rb')
    send = lambda m: sock.sendall(m.to_bytes())
    if role in ('initiator', 'old'):
        send(version_message(70016 if role == 'initiator' else 60002))
    state = {'version': False, 'verack': False, 'pong': False, 'answered_ping': False, 'addr': role == 'responder',
             'getaddr': role == 'initiator'}
    while True:
        try:
            m = MsgSerializable.stream_deserialize(reader)
        except Exception as err:  # EOF or a closed socket: peerkeeper hung up
            emit(closed=True, error=type(err).__name__)
            return
        if m is None:
            continue  # a command python-bitcoinlib does not model
        cmd = m.command.decode()
        emit(recv=cmd)
        if cmd == 'version':
            state['version'] = True
            emit(version=m.nVersion, services=m.nServices, userAgent=m.strSubVer.decode(), relay=bool(m.fRelay),
                 startHeight=m.nStartingHeight, nonce=str(m.nNonce))
            if role == 'responder':
                send(version_message(70016))
            send(msg_verack())
        elif cmd == 'verack':
            state['verack'] = True
            if role == 'initiator':
                send(msg_getaddr())
            send(msg_ping(nonce=OUR_PING_NONCE))
        elif cmd == 'ping':
            send(msg_pong(nonce=m.nonce))
            state['answered_ping'] = True
        elif cmd == 'pong':
            state['pong'] = m.nonce == OUR_PING_NONCE
            emit(pongNonceMatches=state['pong'])
        elif cmd == 'getaddr':
            send(gossip(5))
            state['getaddr'] = True
        elif cmd == 'addr':
            emit(addrs=[{'ip': a.ip, 'port': a.port, 'services': a.nServices} for a in m.addrs])
            state['addr'] = True
        if all(state.values()):
            emit(done=True)
            sock.close()
            return


if __name__ == '__main__':
    main()
