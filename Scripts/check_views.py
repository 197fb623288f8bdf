#!/usr/bin/env python3
"""Opens pages in headless Chromium through the DevTools protocol (Python's standard library only) and fails on any
console error, uncaught exception, failed resource load or blank page; writes a 1280x800 screenshot of each.

    python3 Scripts/check_views.py OUT_DIR PAGE [PAGE...]      # PAGE: a file path, optionally with #fragment

A page is blank when it shows no text and no drawn picture: every visible <canvas> must have a painted pixel, and
the page must show text, an SVG shape, a loaded image or a painted canvas. Prints one line per page; exits 1 if any failed.
Used by Scripts/check_views.sh (which makes the pages first).
"""
import base64
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request

WIDTH, HEIGHT = 1280, 800

PROBE = """(() => {
  const visible = e => { const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
    return r.width > 0 && r.height > 0 && s.display !== 'none' && s.visibility !== 'hidden'; };
  const canvases = [...document.querySelectorAll('canvas')].filter(visible);
  const blankCanvases = canvases.filter(c => { try { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      for (let i = 3; i < d.length; i += 4) { if (d[i] !== 0) return false; } return true; } catch (e) { return false; } }).length;
  const pictures = [...document.querySelectorAll('svg, img, canvas')].filter(visible).length;
  const shapes = [...document.querySelectorAll('rect, path, circle, line, polygon, polyline, image')].filter(visible).length;
  const images = [...document.querySelectorAll('img')].filter(e => visible(e) && e.naturalWidth > 0).length;
  const text = (document.body ? document.body.innerText : '').trim().length;
  return JSON.stringify({text, pictures, shapes, images, canvases: canvases.length, blankCanvases});
})()"""


class WebSocket:
    """The client side of RFC 6455, as much as the DevTools protocol needs: text frames, masked, any length."""

    def __init__(self, url):
        m = re.match(r"ws://([^:/]+):(\d+)(/.*)", url)
        self.sock = socket.create_connection((m.group(1), int(m.group(2))), timeout=60)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {m.group(3)} HTTP/1.1\r\nHost: {m.group(1)}:{m.group(2)}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += self.sock.recv(1)
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise RuntimeError("WebSocket handshake refused: " + head.decode(errors="replace"))

    def send(self, text):
        data = text.encode()
        n = len(data)
        header = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack(">H", n) if n < 65536
                                  else bytes([0x80 | 127]) + struct.pack(">Q", n))
        mask = os.urandom(4)
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def _read(self, n):
        out = bytearray()
        while len(out) < n:
            chunk = self.sock.recv(n - len(out))
            if not chunk:
                raise RuntimeError("the browser closed the connection")
            out += chunk
        return bytes(out)

    def receive(self):
        message = b""
        while True:
            b0, b1 = self._read(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            payload = self._read(n)
            if b0 & 0x0F in (0x1, 0x0):
                message += payload
                if b0 & 0x80:
                    return message.decode()


class Browser:
    def __init__(self):
        binary = next((b for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)
        if binary is None:
            sys.exit("check_views: no chromium on PATH (Debian: apt-get install -y chromium)")
        self.profile = tempfile.mkdtemp(prefix="check-views-")
        self.process = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
             "--remote-debugging-port=0", f"--user-data-dir={self.profile}", f"--window-size={WIDTH},{HEIGHT}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 60
        self.port = None
        while time.time() < deadline and self.port is None:
            line = self.process.stderr.readline()
            m = re.search(r"DevTools listening on ws://[^:]+:(\d+)/", line)
            if m:
                self.port = int(m.group(1))
        if self.port is None:
            self.close()
            sys.exit("check_views: chromium did not start its DevTools server")
        self.next_id = 0

    def open(self):
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/json/new?about:blank", method="PUT")
        target = json.load(urllib.request.urlopen(request, timeout=30))
        self.ws = WebSocket(target["webSocketDebuggerUrl"])
        self.events = []
        for method in ("Page.enable", "Runtime.enable", "Log.enable", "Network.enable"):
            self.call(method)
        self.call("Emulation.setDeviceMetricsOverride", width=WIDTH, height=HEIGHT, deviceScaleFactor=1, mobile=False)
        return target["id"]

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.receive())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, method, seconds):
        deadline = time.time() + seconds
        self.ws.sock.settimeout(seconds)
        while time.time() < deadline:
            if any(e.get("method") == method for e in self.events):
                return True
            self.events.append(json.loads(self.ws.receive()))
        return False

    def close_target(self, target):
        urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json/close/{target}", timeout=30).read()
        self.ws.sock.close()

    def close(self):
        self.process.kill()
        self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


def problems(events):
    out = []
    for e in events:
        method, p = e.get("method"), e.get("params", {})
        if method == "Runtime.exceptionThrown":
            d = p["exceptionDetails"]
            out.append("uncaught exception: " + (d.get("exception", {}).get("description") or d.get("text", "?")).split("\n")[0])
        elif method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            out.append("console.error: " + " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", [])))
        elif method == "Log.entryAdded" and p["entry"].get("level") == "error":
            out.append("console error: " + p["entry"].get("text", "") + " " + p["entry"].get("url", ""))
        elif method == "Network.loadingFailed":
            out.append("failed resource load: " + p.get("errorText", "") + " " + p.get("type", ""))
        elif method == "Network.requestWillBeSent":
            url = p["request"]["url"]
            if not url.startswith(("file:", "data:", "about:", "blob:")):
                out.append("network access: " + url)
    return out


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out_dir, pages = sys.argv[1], sys.argv[2:]
    os.makedirs(out_dir, exist_ok=True)
    browser = Browser()
    failed = 0
    try:
        for page in pages:
            path, _, fragment = page.partition("#")
            url = "file://" + os.path.abspath(path) + ("#" + fragment if fragment else "")
            name = os.path.basename(path).replace(".", "_") + ("-" + fragment if fragment else "") + ".png"
            target = browser.open()
            browser.call("Page.navigate", url=url)
            loaded = browser.wait_for("Page.loadEventFired", 30)
            time.sleep(0.5)   # scripts that draw after load
            found = problems(browser.events) if loaded else ["the page did not finish loading in 30 s"]
            probe = json.loads(browser.call("Runtime.evaluate", expression=PROBE, returnByValue=True)["result"]["value"])
            painted = probe["shapes"] + probe["images"] + probe["canvases"] - probe["blankCanvases"]
            if probe["text"] == 0 and painted == 0:
                found.append("blank page: no visible text, shape, image or painted canvas")
            if probe["blankCanvases"]:
                found.append(f"{probe['blankCanvases']} of {probe['canvases']} visible canvases are blank")
            found += problems(browser.events[len(browser.events):])
            shot = browser.call("Page.captureScreenshot", format="png")["data"]
            with open(os.path.join(out_dir, name), "wb") as f:
                f.write(base64.b64decode(shot))
            browser.close_target(target)
            if found:
                failed += 1
                print(f"FAIL {page}: " + "; ".join(sorted(set(found))))
            else:
                print(f"ok   {page} -> {os.path.join(out_dir, name)} ({probe['text']} characters of text, "
                      f"{probe['shapes']} shapes, {probe['canvases']} canvases)")
    finally:
        browser.close()
    print(f"{len(pages) - failed} of {len(pages)} pages passed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
