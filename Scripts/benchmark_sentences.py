"""The benchmark sentences every embedding script uses (the "512 benchmark sentences" of BENCHMARKS.md and issue 13):
random words of the project's own vocabulary, `count` sentences of min_words-max_words words, seed 7. One definition
so the speed scripts and the int8 accuracy scripts measure exactly the same text.

    import benchmark_sentences; lines = benchmark_sentences.lines(512)   # from a script in Scripts/
"""
import random

WORDS = ("the a model attention learns weights of every token in each sentence with softmax over keys values queries "
         "heads layers translation image caption speech long short memory quadratic cost fused kernel").split()


def lines(count=512, min_words=5, max_words=40, seed=7):
    """The sentences, the same for the same arguments on every run (Python's own Mersenne Twister, seeded)."""
    rng = random.Random(seed)
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(min_words, max_words))).capitalize() + "."
            for _ in range(count)]
