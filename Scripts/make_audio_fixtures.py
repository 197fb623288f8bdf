#!/usr/bin/env python3
"""Fixtures of AttentionAudio (Tests/AttentionAudioTests/Fixtures): small WAV files in many formats, and the
references the Swift WAV reader, resampler, FFT, mel filterbank and log-mel are checked against.

References: decoded samples by hand arithmetic in NumPy (int / 2^(bits-1), (u8 - 128) / 128, channel mean);
the resampler's formula evaluated directly in Float64 NumPy, and librosa.resample (soxr_hq) as an outside check;
numpy.fft.rfft for the FFT; librosa.filters.mel (Slaney, norm="slaney") and librosa.feature.melspectrogram
(n_fft 512, win_length 400, hop 160, hann, center=True, pad_mode="constant", power 2) for the features.

Run: pip install librosa; python3 Scripts/make_audio_fixtures.py   (rewrites the same bytes every time)
"""
import json, os, struct
import numpy as np
import librosa

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "AttentionAudioTests", "Fixtures")


def riff(chunks):
    body = b"WAVE"
    for cid, data in chunks:
        body += cid + struct.pack("<I", len(data)) + data + (b"\0" if len(data) % 2 else b"")
    return b"RIFF" + struct.pack("<I", len(body)) + body


def fmt(tag, channels, rate, bits, extensible=False):
    align = channels * bits // 8
    base = struct.pack("<HHIIHH", 0xFFFE if extensible else tag, channels, rate, rate * align, align, bits)
    if extensible:
        guid = struct.pack("<H", tag) + bytes.fromhex("000000001000800000aa00389b71")
        base += struct.pack("<HHI", 22, bits, 0) + guid
    return (b"fmt ", base)


def signal(rate, seconds, channels, seed):
    rng = np.random.default_rng(seed)
    t = np.arange(int(rate * seconds)) / rate
    x = [0.4 * np.sin(2 * np.pi * (300 + 200 * c) * t) + 0.2 * np.sin(2 * np.pi * 1234 * t) + 0.05 * rng.standard_normal(len(t))
         for c in range(channels)]
    return np.stack(x, axis=1)   # [frames, channels] in about [-0.7, 0.7]


def encode(x, bits, floating):
    if floating:
        return x.astype("<f4" if bits == 32 else "<f8"), x.astype("<f4" if bits == 32 else "<f8").astype(np.float64)
    if bits == 8:
        q = np.clip(np.round(x * 128 + 128), 0, 255).astype(np.uint8)
        return q, (q.astype(np.float64) - 128) / 128
    scale = 2.0 ** (bits - 1)
    q = np.clip(np.round(x * scale), -scale, scale - 1).astype(np.int64)
    if bits == 24:
        raw = np.stack([(q >> s) & 0xFF for s in (0, 8, 16)], axis=-1).astype(np.uint8)
        return raw, q / scale
    return q.astype("<i2" if bits == 16 else "<i4"), q / scale


def wav_case(name, rate, channels, bits, floating=False, extensible=False, extra=False, seed=0, seconds=0.01):
    x = signal(rate, seconds, channels, seed)
    raw, decoded = encode(x, bits, floating)
    chunks = [fmt(3 if floating else 1, channels, rate, bits, extensible)]
    if extra:
        chunks = [(b"JUNK", b"odd"), chunks[0], (b"LIST", b"INFOISFT\x05\0\0\0test\0")]
    chunks.append((b"data", raw.tobytes()))
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(riff(chunks))
    return {"file": name, "rate": rate, "channels": channels, "bits": bits, "float": floating,
            "mono": [float(v) for v in decoded.mean(axis=1)]}


def resample_direct(x, src, dst, zeros=16, rolloff=0.94):
    rho = dst / src
    fc = 0.5 * min(1.0, rho) * rolloff
    w = zeros / (2 * fc)
    n = np.arange(len(x))
    out = []
    for m in range(int(np.floor(len(x) * rho))):
        tau = m / rho - n
        h = np.where(np.abs(tau) < w, 2 * fc * np.sinc(2 * fc * tau) * 0.5 * (1 + np.cos(np.pi * tau / w)), 0.0)
        out.append(float(np.dot(x, h)))
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    cases = [
        wav_case("pcm16_mono_22050.wav", 22050, 1, 16, seed=1),
        wav_case("pcm16_stereo_44100.wav", 44100, 2, 16, seed=2),
        wav_case("pcm8_mono_11025.wav", 11025, 1, 8, seed=3),
        wav_case("pcm24_mono_48000.wav", 48000, 1, 24, seed=4),
        wav_case("pcm32_stereo_8000.wav", 8000, 2, 32, seed=5),
        wav_case("float32_stereo_16000.wav", 16000, 2, 32, floating=True, seed=6),
        wav_case("float64_mono_16000.wav", 16000, 1, 64, floating=True, seed=7),
        wav_case("extensible_pcm16_3ch_16000.wav", 16000, 3, 16, extensible=True, seed=8),
        wav_case("extra_chunks_pcm16_16000.wav", 16000, 1, 16, extra=True, seed=9),
    ]
    whole = open(os.path.join(OUT, "pcm16_stereo_44100.wav"), "rb").read()
    with open(os.path.join(OUT, "truncated.wav"), "wb") as f:
        f.write(whole[:len(whole) // 2])
    with open(os.path.join(OUT, "not_a_wav.wav"), "wb") as f:
        f.write(b"ID3\x03\x00\x00\x00 this is an mp3 tag, not RIFF\n")
    with open(os.path.join(OUT, "alaw.wav"), "wb") as f:
        f.write(riff([fmt(6, 1, 8000, 8), (b"data", bytes(range(16)))]))

    # Resampling: 0.1 s of the 22,050 Hz mono case's kind of signal, as float32 values.
    x = signal(22050, 0.1, 1, 11)[:, 0].astype(np.float32)
    direct = resample_direct(x.astype(np.float64), 22050, 16000)
    outside = librosa.resample(x.astype(np.float64), orig_sr=22050, target_sr=16000, res_type="soxr_hq")
    up = resample_direct(x[:200].astype(np.float64), 22050, 44100)

    # FFT of one random frame; filterbank; log-mel of 0.25 s at 16 kHz.
    rng = np.random.default_rng(12)
    frame = rng.standard_normal(512)
    power = np.abs(np.fft.rfft(frame)) ** 2
    filters = librosa.filters.mel(sr=16000, n_fft=512, n_mels=40, fmin=0.0, fmax=8000.0, htk=False, norm="slaney")
    y = signal(16000, 0.25, 1, 13)[:, 0].astype(np.float32)
    mel = librosa.feature.melspectrogram(y=y.astype(np.float64), sr=16000, n_fft=512, hop_length=160, win_length=400,
                                         window="hann", center=True, pad_mode="constant", power=2.0, n_mels=40,
                                         fmin=0.0, fmax=8000.0, htk=False, norm="slaney")
    logmel = np.log(mel + 1e-6).T   # [frames, mels]

    def r(v):
        return [float(f"{float(a):.9g}") for a in np.asarray(v).ravel()]

    ref = {
        "wav": cases,
        "resample": {"input": r(x), "from": 22050, "to": 16000, "direct": r(direct), "librosa_soxr_hq": r(outside),
                     "up_direct": r(up)},
        "fft": {"frame": r(frame), "power": r(power)},
        "filterbank": {"shape": list(filters.shape), "values": r(filters)},
        "logmel": {"input": r(y), "shape": list(logmel.shape), "values": r(logmel)},
        "librosa": librosa.__version__,
    }
    with open(os.path.join(OUT, "audio_reference.json"), "w") as f:
        json.dump(ref, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
