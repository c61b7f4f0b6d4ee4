#!/usr/bin/env python3
"""Writes the seed corpora under fuzz/corpus/<target>/ in each target's input layout.

Rerun after changing a target's layout; the files are checked in.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def field(b):
    if isinstance(b, str):
        b = b.encode()
    assert len(b) < 256
    return bytes([len(b)]) + b


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


ROW = ('{"id":17,"message_id":"wamid.HBgMMjU0NzIyMDAwMDAwFQIAEhgg","reported_at":"2026-06-11T08:30:12+03:00",'
       '"fill_date":"11/06/2026","vehicle_reg":" kda-123a ","driver_name":" john kamau ",'
       '"department":"LOGISTICS","litres":"1,045.50","price_per_litre":"KES 180.50","amount":"8212/=",'
       '"odometer":"123,456 km","station":"Shell Westlands","fuel_type":"AGO","payment_method":"M-Pesa",'
       '"receipt_no":"R-00123","full_tank":"yes","notes":"caf\\u00e9 \\ud83d\\ude00 \\"q\\" \\\\ \\u0000",'
       '"created_at":"2026-06-11 08:30:12","updated_at":"2026-06-11T08:31:00Z","deleted_at":null}')
SNAPSHOT = ('{"table":"logistics_department.fuel_records","exported_at":"2026-06-11T20:00:03.512Z",'
            '"row_count":2,"rows":[' + ROW + ',{"id":"18","litres":45.5,"amount":8212.75,'
            '"deleted_at":"2026-06-11T09:00:00Z"}]}')
CHANGES = ('{"table":"logistics_department.fuel_records","changes":['
           '{"op":"insert","id":1923,"changed_at":"2026-06-11T20:14:58Z","row":{"id":1923,"litres":"45.5 L"}},'
           '{"op":"UPDATE","id":17,"changed_at":"2026-06-11T20:14:59Z","row":' + ROW + '},'
           '{"op":"delete","id":4,"changed_at":"2026-06-11T20:15:00Z","row":null}]}')

# framer: byte 0 = kind (bit 0) and small limits (bit 1); bytes 1-2 = chunking seed.
write("framer", "snapshot.json", b"\x00\x07\x01" + SNAPSHOT.encode())
write("framer", "snapshot_bare_array.json", b"\x00\x33\x00" + ("[" + ROW + "]").encode())
write("framer", "changes.json", b"\x01\x11\x02" + CHANGES.encode())
write("framer", "changes_bare_array.json", b"\x01\x00\x00" +
      b'[{"op":"upsert","id":"5","row":{"id":5}},{"op":"delete","id":6}]')
write("framer", "snapshot_small_limits.json", b"\x3a\x05\x00" + SNAPSHOT.encode())
write("framer", "truncated.json", b"\x00\x01\x00" + SNAPSHOT[: len(SNAPSHOT) // 2].encode())
write("framer", "bom_meta_after.json", b"\x00\x02\x00" + "\ufeff".encode() +
      b'{"rows":[{"id":1}],"row_count":1,"table":"t"}')

# Unreadable rows that still hold their id (contract v1.1 §2): a cut emoji, invalid UTF-8, a number
# beyond PostgreSQL's range, an id written 17.0, an escaped "id" name, a nested id that must not
# count, and rows with no readable id at all.
UNREADABLE = (b'{"exported_at":"2026-06-11T20:00:03Z","rows":['
              b'{"id":1,"notes":"fill \\ud83d"},{"id":2,"notes":"caf\xc3"},{"id":3,"litres":1e999999},'
              b'{"id":17.0,"litres":4},{"\\u0069d":"5","x":"\\udc00"},{"row":{"id":6},"n":"\\ud800"},'
              b'{"notes":"\\ud83d"},{"id":1.5,"x":"\\udc00"},{"id":7,"id":{"v":8},"x":"\\udc00"}]}')
write("framer", "snapshot_unreadable.json", b"\x00\x13\x00" + UNREADABLE)
# Small limits (32-byte elements): ids read as oversize elements stream past, in any chunking.
write("framer", "oversize_ids.json", b"\x0a\x21\x00" +
      b'[{"notes":"0123456789012345678901234567890123456789","x":{"id":1},"id":2},'
      b'{"s":"\\"id\\":3 0123456789012345678901234567890123"},{"id":4.0,"pad":"0123456789012345678901234567890"}]')
# Nested past the framer's cap (default limits: 1 003): skipped by counting brackets, rejected alone.
DEEP = "[" * 1500 + "1" + "]" * 1500
write("framer", "deep_row.json", b"\x00\x05\x00" +
      ('{"rows":[{"id":1},{"id":2,"x":' + DEEP + '},{"id":3,"s":"' + "[" * 20 + '"}]}').encode())
write("framer", "deep_change.json", b"\x01\x09\x00" +
      ('{"changes":[{"op":"insert","id":4,"row":{"id":4,"x":' + DEEP + '}},'
       '{"op":"insert","id":5,"row":{"id":5}}]}').encode())
# Small limits (40-byte elements, depth 3): the element itself is skipped, brackets counted.
write("framer", "deep_small_limits.json", b"\x0e\x07\x00" +
      b'{"rows":[{"id":1,"x":[[["]\\"",{"}":1}]]]},{"id":2}]}')

# sigv4: method, path, query count + pairs, Host, header count + pairs, rest.
def sigv4(method, path, query, host, headers, rest=b""):
    out = field(method) + field(path) + bytes([len(query)])
    for k, v in query:
        out += field(k) + field(v)
    out += field(host) + bytes([len(headers)])
    for k, v in headers:
        out += field(k) + field(v)
    return out + rest


write("sigv4", "get_change_key", sigv4("GET", "/fuel/fuel_records/changes/2026-06-11T20:15:00.123Z.json",
                                       [], "rustfs:9000", [("Range", "bytes=100-")]))
write("sigv4", "list", sigv4("GET", "/fuel", [("list-type", "2"), ("prefix", "fuel_records/changes/"),
                                              ("start-after", "fuel_records/changes/a b+c=d.json"),
                                              ("continuation-token", "1ueGcx/XYE+hbY=")],
                              "127.0.0.1:9000", [], b"key with spaces+plus=eq/%2F%zz%"))
write("sigv4", "unicode_key", sigv4("PUT", "/fuel/caf\u00e9/\u2603 ~!*'().json", [("a", ""), ("a", "b")],
                                    "s3.amazonaws.com", [("X-Amz-Meta-X", "  a   b  ")]))

# s3_xml: raw bodies.
LISTING = '''<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>fuel</Name><Prefix>fuel_records/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>
  <IsTruncated>true</IsTruncated>
  <Contents>
    <Key>fuel_records/a&amp;b &lt;1&gt; &#x00FC;.json</Key>
    <LastModified>2024-05-01T12:00:00.250Z</LastModified>
    <ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag>
    <Size>1234</Size><StorageClass>STANDARD</StorageClass>
  </Contents>
  <Contents>
    <Key>fuel_records/latest.json</Key>
    <LastModified>2024-05-02T00:00:00Z</LastModified>
    <ETag>"abc-2"</ETag>
    <Size>0</Size>
  </Contents>
  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
</ListBucketResult>'''
write("s3_xml", "listing.xml", LISTING)
write("s3_xml", "listing_empty.xml", '<ListBucketResult><Name>fuel</Name><KeyCount>0</KeyCount>'
      '<IsTruncated>false</IsTruncated></ListBucketResult>')
write("s3_xml", "error.xml", '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code>'
      '<Message>The specified key does not exist.</Message><Key>fuel_records/latest.json</Key>'
      '<RequestId>4442587FB7D0A2F9</RequestId></Error>')
write("s3_xml", "slowdown.xml", '<Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message></Error>')
write("s3_xml", "html_proxy.html", '<html><body><h1>502 Bad Gateway</h1></body></html>')
write("s3_xml", "dates", 'Wed, 01 May 2024 12:00:00 GMT')
write("s3_xml", "entities.xml", '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "xx">]>'
      '<ListBucketResult><Contents><Key>&e;&e;</Key><Size>1</Size></Contents></ListBucketResult>')

# config: byte 0 selects value parsers (bit 2 clear) or a whole .env (bit 2 set).
for i, v in enumerate(["30s", "250ms", "1h", "8760h", "true", "Off", "0.10", "10%", "65535",
                       "2GiB", "1000KB", "https://[::1]:9000/", "http://rustfs:9000", "0.0.0.0:8080",
                       "[::1]:0", "fuel_schema", "postgresql://ff:pw@db:5432/fleet?sslmode=require",
                       "host=db password='p w' user=ff"]):
    write("config", "value_%02d" % i, bytes([i & 3]) + v.encode())
write("config", "dotenv_full", b"\x04" + open(os.path.join(HERE, "..", "config", "fleetfuel.env.example"), "rb").read()
      if os.path.exists(os.path.join(HERE, "..", "config", "fleetfuel.env.example")) else b"\x04A=1\n")
write("config", "dotenv_quotes", b"\x04# comment\nexport RUSTFS_ENDPOINT=\"http://rustfs:9000\"\n"
      b"RUSTFS_BUCKET='fuel'\nFUEL_PREFIX=fuel_records/\nFUEL_SNAPSHOT_INTERVAL=1h\nLOG_FORMAT=json\n"
      b"FUEL_MAX_DELETE_FRACTION=10%\nHTTP_LISTEN=[::]:8080\nFUEL_SOURCE_DIR=/tmp\n")
write("config", "dotenv_bad", b"\x04RUSTFS_ENDPOINT=s3.example\nNOT A LINE\n")

# http_routes: method, target, header count + pairs, body.
def route(method, target, headers, body=b""):
    out = field(method) + field(target) + bytes([len(headers)])
    for k, v in headers:
        out += field(k) + field(v)
    return out + body


write("http_routes", "healthz", route("GET", "/healthz", [("Host", "127.0.0.1:8080")]))
write("http_routes", "readyz_head", route("HEAD", "/readyz?x=1#f", [("Accept", "*/*")]))
write("http_routes", "metrics", route("GET", "/metrics", [("Accept-Encoding", "gzip"), ("User-Agent", "Prometheus/2.45")]))
write("http_routes", "post_metrics", route("POST", "/metrics", [("Content-Length", "3")], b"abc"))
write("http_routes", "unknown", route("GET", "/../../etc/passwd", []))

# http_parser: byte 0 = bytes per read; then the raw stream.
write("http_parser", "get_healthz", b"\x05GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
write("http_parser", "pipelined", b"\x40" + b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n" * 3 +
      b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
write("http_parser", "post_body", b"\x00POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
write("http_parser", "chunked", b"\x03POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      b"5\r\nhello\r\n0\r\n\r\n")
write("http_parser", "absurd_length", b"\x10GET / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n")
write("http_parser", "http10", b"\x01GET /healthz HTTP/1.0\r\n\r\n")
