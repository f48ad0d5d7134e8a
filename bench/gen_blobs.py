#!/usr/bin/python3
"""Write the blob-dense benchmark pickle: a list of 64 random 1 MiB bytes
objects, protocol 4 (64 x BINBYTES). Fixed seed; stdlib only."""
import pickle
import random
import sys

rng = random.Random(1234)
blobs = [rng.randbytes(1 << 20) for _ in range(64)]
with open(sys.argv[1], "wb") as f:
    pickle.dump(blobs, f, protocol=4)
