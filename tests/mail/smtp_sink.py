#!/usr/bin/python3
"""A real SMTP server on loopback for the mail suite (Debian's python3-aiosmtpd).

    smtp_sink.py DIRECTORY

Listens on 127.0.0.1 at a free port, writes the port to DIRECTORY/port once it accepts
connections, and stores every message it accepts as DIRECTORY/messages/N.eml (the raw bytes)
with N.txt beside it: what the test checks, decoded with Python's email package, one
`key: value` per line (message-id, to, rcpt, from, subject, date, max-line, parts,
attachment-name, attachment-sha256, attachment-bytes), then a line `body:` and the decoded text
body. While DIRECTORY/refuse exists it answers DATA with 451 (a temporary failure: the client
must retry later); once removed it accepts again. Runs until killed.
Run it with /usr/bin/python3: Debian's dist-packages hold aiosmtpd.
"""
import asyncio
import email
import email.policy
import hashlib
import os
import socket
import sys
import time

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def describe(raw: bytes, rcpt: list) -> str:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    lines = raw.split(b'\n')
    longest = max(len(line.rstrip(b'\r')) for line in lines)
    fields = {
        'message-id': message['Message-ID'] or '',
        'to': message['To'] or '',
        'rcpt': ','.join(rcpt),
        'from': str(message['From'] or ''),
        'subject': str(message['Subject'] or ''),
        'date': message['Date'] or '',
        'max-line': str(longest),
        'parts': str(sum(1 for _ in message.walk())),
    }
    body = message.get_body(preferencelist=('plain',))
    text = body.get_content() if body is not None else ''
    for part in message.iter_attachments():
        data = part.get_content()
        fields['attachment-name'] = part.get_filename() or ''
        fields['attachment-type'] = part.get_content_type()
        fields['attachment-sha256'] = hashlib.sha256(data).hexdigest()
        fields['attachment-bytes'] = str(len(data))
    out = ''.join(f'{key}: {value}\n' for key, value in fields.items())
    return out + 'body:\n' + text


class Handler:
    def __init__(self, directory: str):
        self.directory = directory
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        if os.path.exists(os.path.join(self.directory, 'refuse')):
            return '451 4.3.0 refusing for the test, try again later'
        self.count += 1
        base = os.path.join(self.directory, 'messages', f'{self.count:05d}')
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode('utf-8')
        with open(base + '.eml.tmp', 'wb') as stream:
            stream.write(raw)
        with open(base + '.txt.tmp', 'w', encoding='utf-8') as stream:
            stream.write(describe(raw, envelope.rcpt_tos))
        os.rename(base + '.eml.tmp', base + '.eml')
        os.rename(base + '.txt.tmp', base + '.txt')
        return '250 2.0.0 stored'


def main() -> None:
    directory = sys.argv[1]
    os.makedirs(os.path.join(directory, 'messages'), exist_ok=True)
    port = free_port()
    controller = Controller(Handler(directory), hostname='127.0.0.1', port=port,
                            decode_data=False)
    controller.start()
    with open(os.path.join(directory, 'port.tmp'), 'w') as stream:
        stream.write(f'{port}\n')
    os.rename(os.path.join(directory, 'port.tmp'), os.path.join(directory, 'port'))
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == '__main__':
    asyncio.set_event_loop(asyncio.new_event_loop())
    main()
