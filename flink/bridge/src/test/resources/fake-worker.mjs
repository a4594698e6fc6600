// A tiny stand-in for the Node worker (docs/worker-protocol.md), for the bridge's tests.
// Elements are WindowedValues in the global window with a 1-byte pane; the stage JSON says
// what to do:
//   {"op":"upper"}            string → uppercased string on output 0; strings longer than 5 chars
//                              also go to output 1 (a side output) when "longTag" is set
//   {"op":"sideJoin"}         string → string + "|" + all side-input strings joined by ","
//   {"op":"precount"}         KV<string, varint> → KV<string, count> per key, emitted at bundle finish
//   {"op":"mergesum"}         KV<string, Iterable<varint>> → KV<string, sum>
//   "failOn": "x"             sends an ERROR for element "x" ("failAfterMs": n waits n ms first)
//   "dieOnceAt": "x", "marker": "/path"   exits with code 3 at element "x" if /path does not exist (creating it first)
//   "print": true              sends a CONSOLE frame "saw <element> <n>\n" per element (n counts per bundle),
//                              "<n> elements\n" on stderr and element counts in METRICS at bundle finish
import fs from "node:fs";

let hello;
const outputs = new Map(); // index -> Buffer[]
let outBytes = 0;
const side = [];
const counts = new Map();
let metricCount = 0;
let printed = 0;
let metricLen = { sum: 0, count: 0, min: Infinity, max: -Infinity };

function frame(type, body) {
  const b = Buffer.alloc(5 + body.length);
  b.writeUInt32BE(body.length + 1, 0);
  b[4] = type;
  body.copy(b, 5);
  return b;
}
function send(type, body = Buffer.alloc(0)) {
  process.stdout.write(frame(type, body));
}
function varint(n) {
  const out = [];
  while (n >= 0x80) { out.push((n & 0x7f) | 0x80); n = Math.floor(n / 128); }
  out.push(n);
  return Buffer.from(out);
}
function readVarint(buf, pos) {
  let n = 0, mul = 1;
  for (;;) {
    const b = buf[pos++];
    n += (b & 0x7f) * mul;
    if (!(b & 0x80)) return [n, pos];
    mul *= 128;
  }
}
function readString(buf, pos) {
  const [n, p] = readVarint(buf, pos);
  return [buf.toString("utf8", p, p + n), p + n];
}
function str(s) {
  const b = Buffer.from(s, "utf8");
  return Buffer.concat([varint(b.length), b]);
}
const HEADER = 13; // timestamp 8, window count 4, global window 0 bytes, pane 1
function emit(index, header, value) {
  const rec = Buffer.concat([header, value]);
  if (!outputs.has(index)) outputs.set(index, []);
  outputs.get(index).push(rec);
  outBytes += rec.length;
  if (outBytes > 65536) flush();
}
function flush() {
  for (const [index, recs] of outputs) {
    const parts = [varint(index)];
    for (const r of recs) parts.push(varint(r.length), r);
    send(0x82, Buffer.concat(parts));
  }
  outputs.clear();
  outBytes = 0;
}
function elements(body, pos) {
  const out = [];
  while (pos < body.length) {
    const [n, p] = readVarint(body, pos);
    out.push(body.subarray(p, p + n));
    pos = p + n;
  }
  return out;
}
function fail(transform, message, element) {
  flush();
  const err = { transform, message, stack: `Error: ${message}\n    at processElement (user.js:1:1)` };
  if (element !== undefined) err.element = JSON.stringify(element);
  send(0x85, Buffer.from(JSON.stringify(err)));
  process.exitCode = 1;
  setImmediate(() => process.exit(1));
}

function processElement(rec) {
  const stage = hello.stage;
  const header = rec.subarray(0, HEADER);
  if (stage.op === "mergesum") {
    let [key, p] = readString(rec, HEADER);
    const n = rec.readInt32BE(p);
    p += 4;
    let sum = 0;
    for (let i = 0; i < n; i++) { let v; [v, p] = readVarint(rec, p); sum += v; }
    emit(0, header, Buffer.concat([str(key), varint(sum)]));
    return;
  }
  if (stage.op === "precount") {
    const [key] = readString(rec, HEADER);
    counts.set(key, (counts.get(key) || 0) + 1);
    counts.header = header;
    return;
  }
  const [s] = readString(rec, HEADER);
  if (stage.print) send(0x87, Buffer.from(JSON.stringify({ stream: "stdout", transform: hello.transforms[0], text: `saw ${s} ${printed++}\n` })));
  if (stage.failOn !== undefined && s === stage.failOn && stage.failAfterMs) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, stage.failAfterMs);
  }
  if (stage.failOn !== undefined && s === stage.failOn) return fail(hello.transforms[0], `cannot handle '${s}'`, s);
  if (stage.dieOnceAt !== undefined && s === stage.dieOnceAt && !fs.existsSync(stage.marker)) {
    fs.writeFileSync(stage.marker, "died once\n");
    process.stderr.write(`dying on purpose at ${s}\n`);
    process.exit(3);
  }
  metricCount++;
  metricLen.sum += s.length; metricLen.count++; metricLen.min = Math.min(metricLen.min, s.length); metricLen.max = Math.max(metricLen.max, s.length);
  if (stage.op === "sideJoin") {
    emit(0, header, str(s + "|" + side.slice().sort().join(",")));
    return;
  }
  emit(0, header, str(s.toUpperCase()));
  if (stage.longTag && s.length > 5) emit(1, header, str(s));
}

function handle(type, body) {
  switch (type) {
    case 0x01:
      hello = JSON.parse(body.toString("utf8"));
      if (hello.protocol !== "flowbook.worker/v1") throw new Error("bad protocol " + hello.protocol);
      process.stderr.write(`fake worker up: ${hello.operatorId} subtask ${hello.subtask}/${hello.parallelism} attempt ${hello.attempt}\n`);
      send(0x81, Buffer.from(JSON.stringify({ pid: process.pid })));
      break;
    case 0x02: {
      const [index, p] = readVarint(body, 0);
      for (const rec of elements(body, p)) side.push(`${hello.sideInputs[index].tag}=${readString(rec, HEADER)[0]}`);
      break;
    }
    case 0x03: case 0x04: break;
    case 0x05:
      for (const rec of elements(body, 0)) {
        processElement(rec);
        if (process.exitCode) return;
      }
      break;
    case 0x06: {
      if (hello.stage.op === "precount") {
        for (const [k, n] of counts) emit(0, counts.header, Buffer.concat([str(k), varint(n)]));
        counts.clear();
      }
      flush();
      if (hello.stage.print) send(0x87, Buffer.from(JSON.stringify({ stream: "stderr", text: `${printed} elements\n` })));
      const updates = [];
      // With "print": element counts per transform too (one seen without its output, as a lifted combine's).
      const elements = hello.stage.print ? [{ transform: hello.transforms[0], in: printed, out: printed }, { transform: "Lifted", in: printed }] : undefined;
      printed = 0;
      if (metricCount) updates.push({ kind: "counter", step: hello.transforms[0], namespace: "test", name: "elements", value: metricCount });
      if (metricLen.count) updates.push({ kind: "distribution", step: hello.transforms[0], namespace: "test", name: "length", ...metricLen });
      updates.push({ kind: "gauge", step: hello.transforms[0], namespace: "test", name: "subtask", value: hello.subtask, timestamp: Date.now() });
      metricCount = 0; metricLen = { sum: 0, count: 0, min: Infinity, max: -Infinity };
      send(0x84, Buffer.from(JSON.stringify(elements ? { updates, elements } : { updates })));
      send(0x83, body);
      break;
    }
    case 0x07:
      send(0x86);
      process.stdout.end(() => process.exit(0));
      break;
    default:
      throw new Error("unknown frame type " + type);
  }
}

let pending = Buffer.alloc(0);
process.stdin.on("data", (chunk) => {
  if (process.exitCode) return;
  pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
  let pos = 0;
  while (pending.length - pos >= 4) {
    const len = pending.readUInt32BE(pos);
    if (pending.length - pos - 4 < len) break;
    const type = pending[pos + 4];
    const body = pending.subarray(pos + 5, pos + 4 + len);
    pos += 4 + len;
    handle(type, body);
    if (process.exitCode) return;
  }
  pending = pending.subarray(pos);
});
process.stdin.on("end", () => process.exit(0));
