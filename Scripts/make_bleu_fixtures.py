"""Fixtures for BLEU (Tests/AttentionModelsTests/Fixtures/bleu.json), computed by sacrebleu 2.x, the reference implementation.

    pip install sacrebleu==2.6.0 && python3 Scripts/make_bleu_fixtures.py

Seeded: it regenerates the committed file byte for byte. Cases: the 13a tokenisation of awkward lines (punctuation,
numbers with separators, HTML entities, <skipped>, line breaks, non-ASCII and Python-only white space), and corpus BLEU
with the default settings (13a, exp smoothing) over random corpora drawn from a small vocabulary, with one or two
reference streams, including corpora whose sentences are shorter than four tokens (score 0) and empty hypotheses.
"""
import json
import random
from pathlib import Path

import sacrebleu
from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a

OUT = Path(__file__).resolve().parent.parent / "Tests/AttentionModelsTests/Fixtures/bleu.json"

TOKENISE = [
    "the blue car.", "Hello, world!", "1,000.50 dollars", "pages 3-4 and 5 - 6", "a.b,c", "a..b", ",.,.",
    "(brackets) [square] {curly} <angle>", "it's l'homme -- d'accord", "&quot;quoted&quot; &amp; &lt;tag&gt; &amp;amp;",
    "x<skipped>y", "line one-\nline two\nthree", "über straße, ça va?", "中文，句子。还有 English.", "tab\there",
    "nbsp\u00a0here", "sep\u001cfile", "trailing   ", "   ", "", "$5.00 / 50% @home #tag ^_^ `code` ~tilde|pipe",
    "e.g. U.S.A., 3.14, .5, 5., -5, 5-", "\r\nwindows\r\nline", "emoji 🙂 and é (e + \u0301)",
]

WORDS = ["the", "a", "cat", "dog", "blue", "red", "car", "house", "is", "not", "big", "small", "eats", "sees",
         "we", "they", "green", "old", "new", "very"]
PUNCT = [".", ",", "!", "?", "'s", "-", "3", "1,5"]


def sentence(rng, low, high):
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    if words and rng.random() < 0.5:
        words[-1] += rng.choice(PUNCT)
    return " ".join(words)


def perturb(rng, ref):
    words = ref.split()
    out = []
    for w in words:
        r = rng.random()
        if r < 0.15:
            continue
        out.append(rng.choice(WORDS) if r < 0.3 else w)
        if rng.random() < 0.05:
            out.append(rng.choice(WORDS))
    return " ".join(out)


def corpus_case(rng, n, low, high, streams, empty_hyp=False):
    refs = [[sentence(rng, low, high) for _ in range(n)] for _ in range(streams)]
    hyps = [perturb(rng, refs[0][i]) for i in range(n)]
    if empty_hyp:
        hyps[0] = ""
    s = sacrebleu.corpus_bleu(hyps, refs)
    return {"hypotheses": hyps, "references": refs, "score": s.score, "matches": list(s.counts),
            "totals": list(s.totals), "precisions": list(s.precisions), "brevity_penalty": s.bp,
            "hypothesis_length": s.sys_len, "reference_length": s.ref_len}


def main():
    rng = random.Random(20261207)
    tok = Tokenizer13a()
    cases = []
    for i in range(24):
        streams = 1 if i % 3 else 2
        low, high = (1, 3) if i in (5, 11) else (2, 14)
        cases.append(corpus_case(rng, rng.randint(1, 30), low, high, streams, empty_hyp=(i == 7)))
    identical = [sentence(rng, 4, 10) for _ in range(5)]
    s = sacrebleu.corpus_bleu(identical, [identical])
    cases.append({"hypotheses": identical, "references": [identical], "score": s.score, "matches": list(s.counts),
                  "totals": list(s.totals), "precisions": list(s.precisions), "brevity_penalty": s.bp,
                  "hypothesis_length": s.sys_len, "reference_length": s.ref_len})
    data = {"sacrebleu": sacrebleu.__version__,
            "tokenize_13a": [{"line": line, "tokens": tok(line.rstrip()).split()} for line in TOKENISE],
            "corpus": cases}
    OUT.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({len(cases)} corpora)")


if __name__ == "__main__":
    main()
