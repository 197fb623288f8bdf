#!/usr/bin/env python3
"""Synthesises the spoken-digit data set of `attention listen` (issue 17), reproducibly from a seed.

Every utterance is a string of 1-5 digit words ("three seven one") said by one espeak-ng voice at one speed and
pitch. Each word is synthesised on its own and the clips are laid end to end with silent gaps of random length, so
every word's time span is known exactly from the construction (the span is the clip with its leading and trailing
near-silence trimmed: samples below 1 % of the clip's peak). This loses the coarticulation of running speech; it
buys exact spans for the alignment check without a forced aligner.

Voices: six English accents of espeak-ng x ten voice variants. The variant `f3` is held out entirely: no training
utterance uses it, every test utterance does. Noise is white Gaussian at a set SNR, measured against the mean power
of the word samples (silent gaps excluded): training utterances draw clean, 30, 20, 15, 10 or 5 dB; the test set is
written twice, clean and at 10 dB (the same utterances, the same voices).

Layout written under DIR (default ~/.cache/attention/speech):
    manifest.tsv    split  file  words  spans   (spans "start-end,start-end,..." in seconds; words space-separated)
    train/NNNNN.wav  test-clean/NNNNN.wav  test-10db/NNNNN.wav   (16-bit PCM mono at espeak-ng's 22,050 Hz)
    README.txt      what the set is and the command that made it

Usage: python3 Scripts/make_speech_data.py [--out DIR] [--train N] [--test N] [--seed S]
Installs espeak-ng with apt-get when it is missing (this machine runs as root).
"""
import argparse, io, os, shutil, subprocess, sys, wave
import numpy as np

WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
ACCENTS = ["en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-029", "en-us-nyc"]
VARIANTS = ["m1", "m2", "m3", "m4", "m5", "m7", "f1", "f2", "f4", "f5"]
HELD_OUT = "f3"
SPEEDS = [130, 150, 170, 190]     # words per minute
PITCHES = [30, 45, 60, 75]        # espeak-ng 0-99
TRAIN_SNRS = [None, 30, 20, 15, 10, 5]
RATE = 22050


def ensure_espeak():
    if shutil.which("espeak-ng"):
        return
    print("espeak-ng is missing: apt-get install -y espeak-ng", file=sys.stderr)
    subprocess.run(["apt-get", "install", "-y", "espeak-ng"], check=False)
    if not shutil.which("espeak-ng"):
        subprocess.run(["apt-get", "update"], check=True)
        subprocess.run(["apt-get", "install", "-y", "espeak-ng"], check=True)


_cache = {}


def clip(voice, speed, pitch, word):
    """The word said by the voice, trimmed to where it is audible, float64 in [-1, 1] at RATE."""
    key = (voice, speed, pitch, word)
    if key not in _cache:
        out = subprocess.run(["espeak-ng", "--stdout", "-v", voice, "-s", str(speed), "-p", str(pitch), word],
                             check=True, capture_output=True).stdout
        with wave.open(io.BytesIO(out)) as w:
            assert w.getframerate() == RATE and w.getsampwidth() == 2 and w.getnchannels() == 1
            # espeak-ng writes 0x7fffffff as the data length on a pipe: read what is there.
            x = np.frombuffer(out[44:], dtype="<i2").astype(np.float64) / 32768.0
        loud = np.nonzero(np.abs(x) >= 0.01 * np.abs(x).max())[0]
        _cache[key] = x[loud[0]:loud[-1] + 1]
    return _cache[key]


def utterance(rng, variants):
    n = int(rng.integers(1, 6))
    digits = [int(d) for d in rng.integers(0, 10, size=n)]
    voice = f"{ACCENTS[rng.integers(len(ACCENTS))]}+{variants[rng.integers(len(variants))]}"
    speed, pitch = int(rng.choice(SPEEDS)), int(rng.choice(PITCHES))
    gain = float(rng.uniform(0.3, 0.9))
    pieces, spans, t = [np.zeros(int(rng.uniform(0.1, 0.3) * RATE))], [], 0
    t = len(pieces[0])
    for d in digits:
        c = clip(voice, speed, pitch, WORDS[d])
        spans.append((t / RATE, (t + len(c)) / RATE))
        pieces.append(c); t += len(c)
        gap = np.zeros(int(rng.uniform(0.05, 0.25) * RATE)); pieces.append(gap); t += len(gap)
    pieces.append(np.zeros(int(rng.uniform(0.0, 0.15) * RATE)))
    x = np.concatenate(pieces)
    return gain * x / np.abs(x).max(), digits, spans, voice


def add_noise(rng, x, spans, snr):
    if snr is None:
        return x
    speech = np.concatenate([x[int(a * RATE):int(b * RATE)] for a, b in spans])
    power = np.mean(speech ** 2)
    return x + rng.normal(0.0, np.sqrt(power / 10 ** (snr / 10)), size=x.shape)


def write_wav(path, x):
    pcm = np.clip(np.round(x * 32767), -32768, 32767).astype("<i2")
    with wave.open(path, "wb") as w:
        w.setnchannels(1); w.setsampwidth(2); w.setframerate(RATE); w.writeframes(pcm.tobytes())


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", default=os.path.expanduser("~/.cache/attention/speech"))
    p.add_argument("--train", type=int, default=3000)
    p.add_argument("--test", type=int, default=300)
    p.add_argument("--seed", type=int, default=17)
    a = p.parse_args()
    ensure_espeak()
    for sub in ["train", "test-clean", "test-10db"]:
        os.makedirs(os.path.join(a.out, sub), exist_ok=True)
    rows = []
    rng = np.random.default_rng(a.seed)
    noise = np.random.default_rng(a.seed + 1)
    for i in range(a.train):
        x, digits, spans, voice = utterance(rng, VARIANTS)
        snr = TRAIN_SNRS[rng.integers(len(TRAIN_SNRS))]
        name = f"train/{i:05d}.wav"
        write_wav(os.path.join(a.out, name), add_noise(noise, x, spans, snr))
        rows.append(("train", name, digits, spans))
    for i in range(a.test):
        x, digits, spans, voice = utterance(rng, [HELD_OUT])
        for split, snr in [("test-clean", None), ("test-10db", 10)]:
            name = f"{split}/{i:05d}.wav"
            write_wav(os.path.join(a.out, name), add_noise(noise, x, spans, snr))
            rows.append((split, name, digits, spans))
    tmp = os.path.join(a.out, "manifest.tsv.tmp")
    with open(tmp, "w") as f:
        f.write("split\tfile\twords\tspans\n")
        for split, name, digits, spans in rows:
            f.write(f"{split}\t{name}\t{' '.join(WORDS[d] for d in digits)}\t"
                    + ",".join(f"{s:.4f}-{e:.4f}" for s, e in spans) + "\n")
    os.replace(tmp, os.path.join(a.out, "manifest.tsv"))
    with open(os.path.join(a.out, "README.txt"), "w") as f:
        f.write(f"Spoken digit strings by espeak-ng, made by Scripts/make_speech_data.py --train {a.train} "
                f"--test {a.test} --seed {a.seed}. Held-out voice variant: {HELD_OUT}.\n")
    print(f"wrote {len(rows)} utterances under {a.out}")


if __name__ == "__main__":
    main()
