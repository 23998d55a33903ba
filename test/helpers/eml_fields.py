"""What Python's email package (policy.default) reads from .eml files: one JSON object per file.

Used by the corpus regression suite as the outside reader of our .eml and of msgconvert's.
argv: paths; stdout: a JSON list, one entry per path (null when the file is missing).
"""
import email, email.policy, email.utils, hashlib, json, sys


def addrs(msg, name):
    out = []
    for h in msg.get_all(name, []) or []:
        try:
            for a in h.addresses:
                out.append([a.display_name or '', a.addr_spec or ''])
            for g in getattr(h, 'groups', []):
                if g.display_name is not None and not g.addresses:
                    out.append([g.display_name, ''])
        except Exception as e:  # noqa: BLE001 - reported as a defect
            out.append(['!error ' + repr(e), ''])
    return out


def defects(msg):
    found = []
    for part in msg.walk():
        found += [type(d).__name__ for d in part.defects]
        for k, v in part.items():
            found += [f'{k}: {type(d).__name__}' for d in getattr(v, 'defects', [])]
    return found


def attachments(msg):
    out = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        fn = part.get_filename()
        if fn is None:
            continue
        data = part.get_payload(decode=True) or b''
        out.append([fn, hashlib.sha256(data).hexdigest(), len(data)])
    return out


def one(path):
    try:
        raw = open(path, 'rb').read()
    except OSError:
        return None
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    date = None
    d = msg.get('Date')
    if d is not None:
        try:
            dt = d.datetime
            date = None if dt is None else (dt.astimezone(email.utils.datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ') if dt.tzinfo else dt.strftime('%Y-%m-%dT%H:%M:%S'))
        except Exception:  # noqa: BLE001
            date = '!invalid'
    longest = max((len(l) for l in raw.split(b'\n')), default=0)
    lf_only = raw.count(b'\n') - raw.count(b'\r\n')
    return {
        'subject': str(msg.get('Subject')) if msg.get('Subject') is not None else None,
        'from': addrs(msg, 'From'), 'sender': addrs(msg, 'Sender'),
        'to': addrs(msg, 'To'), 'cc': addrs(msg, 'Cc'),
        'date': date, 'messageId': str(msg.get('Message-ID')) if msg.get('Message-ID') else None,
        'attachments': attachments(msg), 'defects': defects(msg),
        'longestLine': longest, 'bareLf': lf_only,
    }


print(json.dumps([one(p) for p in sys.argv[1:]], ensure_ascii=False))
