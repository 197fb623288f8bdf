#!/usr/bin/env python3
"""Expected outputs of all-MiniLM-L6-v2's tokenizer, for the Swift Text tests: Tests/AttentionTextTests/Fixtures/.

    pip install transformers tokenizers
    Scripts/fetch-minilm.sh                      # the model folder (vocab.txt, tokenizer.json, ...)
    python3 Scripts/make_minilm_fixtures.py [MODEL_DIR]

Writes (deterministic: rerunning rewrites identical bytes):
  tokenizer_ids.json      for each sentence: input_ids from Hugging Face `tokenizers` (the fast tokenizer that
                          sentence-transformers uses) and, where it differs, from transformers' Python BertTokenizer
                          (the "slow" reference; BertTokenizerLegacy in transformers >= 5); truncated encodings at 256
                          and 512; one padded batch.
  unicode_behaviour.json  what each tokenizer does to every code point c in the string "a" + c + "b" (kept, removed,
                          whitespace, isolated, or mapped), as runs of equal behaviour. Vocabulary-independent.

Fast and slow disagree on a few inputs (final sigma, unassigned code points, characters newer than Unicode 8.0); the
script prints every disagreement so that they are visible, and stores both answers.
"""
import json
import os
import subprocess
import sys
import unicodedata
import warnings

warnings.filterwarnings("ignore")

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
OUT = os.path.join(ROOT, "Tests", "AttentionTextTests", "Fixtures")

LONG_PARAGRAPH = " ".join(
    f"Sentence number {i} talks about attention, transformers and the {['cat', 'dog', 'bird'][i % 3]} "
    f"that sat on mat {i * 7 % 13}." for i in range(60))  # ~600 words: longer than 512 tokens

SENTENCES = [
    "",
    " ",
    "   \t\n  ",
    "Hello, world!",
    "hello world",
    "HELLO WORLD",
    "The quick brown fox jumps over the lazy dog.",
    "This is a test of the all-MiniLM-L6-v2 sentence embedding model.",
    "Café naïve résumé",
    "CAFÉ NAÏVE RÉSUMÉ",
    "Crème brûlée à la française, s'il vous plaît.",
    "Ångström, Øresund, Ærø, Straße, ĳssel",
    "Mëtàl Ümlaut Çedilla Ñandú",
    "e\u0301le\u0300ve decomposed accents",
    "我爱北京天安门",
    "北京欢迎你 Beijing welcomes you",
    "日本語のテキストを分かち書きします。",
    "カタカナ ガギグゲゴ ﾊﾝｶｸ",
    "안녕하세요, 세계!",
    "한국어 문장입니다",
    "Привет, мир! Как дела?",
    "Γειά σου Κόσμε",
    "ΟΔΟΣ ΟΔΟΣ. ΣΙΣΥΦΟΣ",
    "مرحبا بالعالم",
    "שלום עולם",
    "नमस्ते दुनिया",
    "สวัสดีชาวโลก",
    "ᏣᎳᎩ ᎦᏬᏂᎯᏍᏗ ⵜⴰⵎⴰⵣⵉⵖⵜ 𐎀𐎁𐎂 𒀀𒀁",
    "I love 🍕 and 🚀!",
    "😀😃😄😁😆",
    "👨‍👩‍👧‍👦 family emoji with ZWJ",
    "flags 🇫🇷🇩🇪 and skin tones 👍🏽",
    "new emoji 🫠 🥹 🫨",
    "control\x00chars\x01here\x7f and\u200bzero\u200dwidth\ufeff",
    "tab\tnewline\nreturn\rform\x0cfeed\x0bvtab",
    "non\u00a0breaking\u2009thin\u3000ideographic\u2028line\u2029para",
    "replacement \ufffd char and soft\u00adhyphen",
    "!!!...???",
    "Wait... what?!?! (really) [yes] {no} <maybe>",
    "a-b_c/d\\e|f~g^h`i@j#k$l%m&n*o+p=q",
    "“Smart quotes” ‘single’ — em dash – en dash … ellipsis",
    "«guillemets» ¿Qué? ¡Sí! §1 ¶2 †‡ •",
    "https://www.example.com/path?query=1&x=y#frag",
    "Email me at someone@example.org or call +1 (555) 123-4567.",
    "Numbers: 3.14159, 1,000,000, 42nd, 1e-10, ½ ⅓ ² ³ ①",
    "2024-01-15T12:30:00Z version 1.2.3-beta",
    "MiXeD CaSe WoRdS iPhone eBay McDonald's",
    "don't can't won't it's we're they'll",
    "The year 1984 and the number 0.001",
    "supercalifragilisticexpialidocious antidisestablishmentarianism",
    "pneumonoultramicroscopicsilicovolcanoconiosis",
    "x" * 100,
    "x" * 101,
    "a" * 150 + " short " + "b" * 99,
    "İstanbul ǅemal ﬁnance ẞtraße",
    "ℌℍ ℕ ℝ ™ ® © ° µ",
    "ｆｕｌｌｗｉｄｔｈ　ＬＥＴＴＥＲＳ！",
    "[CLS] already [SEP] special [MASK] tokens [UNK] [PAD]",
    "[mask] lowercase is not special, nor is [ MASK ]",
    "a[MASK]b[SEP]c",
    "unaffable unbelievable playing played",
    "transformer attention mechanism self-attention multi-head",
    "Artificial intelligence is transforming the world.",
    "Machine learning models need data.",
    "A man is eating food.",
    "A man is riding a white horse on an enclosed ground.",
    "Two dogs play in the snow",
    "\u4e00\u4e01\u4e02 \u3400 \U00020000 \U0002b820 \U0002b920 \uf900 \U0002f800",
    "Ὀδυσσεύς ᾼ ῼ ᾳ",
    "Hangul jamo \u1100\u1161\u11a8 vs syllable \uac01",
    "unassigned \u0378 and private \ue000 and noncharacter \ufffe",
    "Σ alone, aΣ, Σa, ΑΣ΄ Σ' ΑΣ'Α",
    "The word \"quoted\" and 'single' and `backtick`",
    "   leading and trailing spaces   ",
    "line one\nline two\n\nline four",
    LONG_PARAGRAPH,
    " ".join(["word"] * 300),
]

BATCH = ["A short one.", "", "A considerably longer sentence that needs more tokens than the others do.", "Café 我爱北京"]


def load(model_dir):
    import tokenizers
    try:
        from transformers import BertTokenizerLegacy as SlowBert  # transformers >= 5
    except ImportError:
        from transformers import BertTokenizer as SlowBert  # transformers 4.x: the Python implementation
    fast = tokenizers.Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    fast.no_truncation()
    fast.no_padding()
    slow = SlowBert(vocab_file=os.path.join(model_dir, "vocab.txt"), do_lower_case=True, tokenize_chinese_chars=True)
    return fast, slow


def fast_encode(fast, text, max_length=None):
    ids = fast.encode(text).ids
    if max_length is not None and len(ids) > max_length:
        ids = ids[:max_length - 1] + [ids[-1]]
    return ids


def token_fixtures(fast, slow):
    import tokenizers
    records, disagreements = [], 0
    for text in SENTENCES:
        f = fast.encode(text).ids
        s = slow.encode(text)
        rec = {"text": text, "input_ids": f}
        if f != s:
            disagreements += 1
            rec["python_input_ids"] = s
            print(f"fast and slow disagree on {text[:40]!r}:\n  fast {f}\n  slow {s}", file=sys.stderr)
        for n in (256, 512):
            if len(f) > n:
                truncated = fast.encode(text)
                t = tokenizers.Tokenizer.from_str(fast.to_str())
                t.enable_truncation(max_length=n)
                rec[f"input_ids_{n}"] = t.encode(text).ids
                assert rec[f"input_ids_{n}"] == fast_encode(fast, text, n)
                assert slow.encode(text, truncation=True, max_length=n) == (s[:n - 1] + [s[-1]])
        records.append(rec)
    t = tokenizers.Tokenizer.from_str(fast.to_str())
    t.enable_truncation(max_length=256)
    t.enable_padding(pad_id=0, pad_token="[PAD]")
    batch = t.encode_batch(BATCH)
    return {
        "model": "sentence-transformers/all-MiniLM-L6-v2",
        "sentences": records,
        "batch": {"texts": BATCH, "input_ids": [e.ids for e in batch], "attention_mask": [e.attention_mask for e in batch]},
    }, disagreements


def classify(c, tokens):
    ch = chr(c)
    if tokens == ["a" + ch + "b"]:
        return "K", None      # kept as part of the word
    if tokens == ["ab"]:
        return "R", None      # removed
    if tokens == ["a", "b"]:
        return "S", None      # a separator (whitespace)
    if tokens == ["a", ch, "b"]:
        return "I", None      # isolated (punctuation, CJK)
    if len(tokens) == 1 and tokens[0].startswith("a") and tokens[0].endswith("b"):
        inner = tokens[0][1:-1]
        if 0xAC00 <= c <= 0xD7A3 and inner == unicodedata.normalize("NFD", ch):
            return "H", None  # Hangul syllable → its jamo (algorithmic, checked by formula in the test)
        return "M", inner     # mapped (lower-cased, accent stripped) but still part of the word
    if len(tokens) == 3 and tokens[0] == "a" and tokens[2] == "b":
        return "J", tokens[1]  # mapped and isolated (a CJK compatibility ideograph → its unified form)
    return "X", tokens


def unicode_fixture(fast):
    from transformers.models.bert.tokenization_bert_legacy import BasicTokenizer
    basic = BasicTokenizer(do_lower_case=True, tokenize_chinese_chars=True)
    normalizer, pre = fast.normalizer, fast.pre_tokenizer
    out = {"note": "behaviour of each code point c in 'a'+c+'b', over all code points except surrogates in order; "
                   "'runs' is a string of class letter + run length; K kept, R removed, S whitespace, I isolated, "
                   "H Hangul NFD, M/J mapped (see 'mapped'; python's 'mapped' lists only values that differ from fast's)",
           "python_unicode_version": unicodedata.unidata_version}
    for mode in ("fast", "python"):
        runs, mapped = [], {}
        for c in range(0x110000):
            if 0xD800 <= c <= 0xDFFF:
                continue
            s = "a" + chr(c) + "b"
            tokens = [p for p, _ in pre.pre_tokenize_str(normalizer.normalize_str(s))] if mode == "fast" else basic.tokenize(s)
            kind, value = classify(c, tokens)
            if value is not None:
                mapped[str(c)] = value
            if runs and runs[-1][0] == kind:
                runs[-1][1] += 1
            else:
                runs.append([kind, 1])
        out[mode] = {"runs": "".join(f"{k}{n}" for k, n in runs), "mapped": mapped}
    # Python's mapped values mostly equal the fast ones: keep only the differences (the test merges them back).
    fast_mapped = out["fast"]["mapped"]
    out["python"]["mapped"] = {k: v for k, v in out["python"]["mapped"].items() if fast_mapped.get(k) != v}
    return out


def write_embeddings(model_dir, sentences):
    """PLACEHOLDER for the BERT / embedding part of issue 5: sentence-transformers embeddings of `sentences`.

    To be filled in later (e.g. SentenceTransformer(model_dir).encode(sentences, normalize_embeddings=True)) and written
    next to tokenizer_ids.json. Intentionally does nothing yet.
    """
    return None


def dump(obj, name, ascii_only=True):
    with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=ascii_only, separators=(",", ":"))
        f.write("\n")


def main():
    model_dir = sys.argv[1] if len(sys.argv) > 1 else subprocess.check_output(
        [os.path.join(ROOT, "Scripts", "fetch-minilm.sh")], text=True).strip()
    fast, slow = load(model_dir)
    os.makedirs(OUT, exist_ok=True)
    ids, disagreements = token_fixtures(fast, slow)
    dump(ids, "tokenizer_ids.json")
    print(f"{len(SENTENCES)} sentences, {disagreements} where fast and slow disagree", file=sys.stderr)
    dump(unicode_fixture(fast), "unicode_behaviour.json", ascii_only=False)  # UTF-8 halves its size
    write_embeddings(model_dir, SENTENCES)
    print("wrote", os.path.normpath(OUT), file=sys.stderr)


if __name__ == "__main__":
    main()
