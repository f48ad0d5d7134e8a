#!/usr/bin/python3
"""Generate brine's allowlist profiles and deny list from the real libraries.

Writes allowlists/{stdlib,numpy,torch,sklearn,pandas,xgboost}.json and
allowlists/denylist.json, then checks them (the same checks `--check` runs on
the committed files). Run from the project root with Debian's interpreter:

    /usr/bin/python3 tools/gen_allowlists.py            # generate + check
    /usr/bin/python3 tools/gen_allowlists.py --check    # check committed files
    /usr/bin/python3 tools/gen_allowlists.py --report   # print what the probes saw

How entries are found (see allowlists/README.md):
  1. probes: representative objects of every library are pickled at protocols
     2-5 (0-5 for plain stdlib data; torch.save zip and legacy; joblib.dump)
     and loaded again by a recording unpickler built on pickle._Unpickler,
     which notes every global the stream names and how it is used: invoked by
     REDUCE/OBJ ("call"), created by NEWOBJ/NEWOBJ_EX/copyreg.__newobj__/
     copyreg._reconstructor ("construct"), or only referenced;
  2. introspection of the installed libraries (every torch.nn Module class,
     every estimator from sklearn.utils.all_estimators(), numpy scalar types,
     ufuncs, ...);
  3. hand-reviewed tables below for every callable ("call" entries), each
     with the argument constraints and the reason it is safe.
Every probed use must be covered by an entry (or be listed in NOT_ALLOWED with
the reason it stays out), and every probed call must satisfy the constraints
written here; otherwise generation fails so that a library update is reviewed.

Nothing here is executed from a model file: the probes only load pickles that
this script has just written from objects it built itself.
"""
import argparse
import collections
import copyreg
import datetime
import importlib
import inspect
import io
import json
import os
import pickle
import pickletools
import sys
import types
import warnings

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
OUTDIR = os.path.join(ROOT, "allowlists")
PROFILES = ("stdlib", "numpy", "torch", "sklearn", "pandas", "xgboost")
USES = ("reference", "construct", "call")
RANK = {u: i for i, u in enumerate(USES)}
TYPES = ("none", "bool", "int", "float", "str", "bytes", "bytearray", "tuple",
         "list", "dict", "set", "frozenset", "persid", "object")
# Modules from which nothing may ever be excepted from the deny list.
NEVER_EXCEPT = ("os", "posix", "nt", "subprocess", "sys", "runpy", "pty", "socket",
                "shutil", "pickle", "_pickle", "marshal", "importlib", "ctypes",
                "operator", "functools", "pydoc", "pkgutil", "code", "codeop", "inspect")


# ---------------------------------------------------------------------------
# Versions (from the dpkg database, no subprocess)

def _dpkg_versions():
    out, pkg = {}, None
    try:
        with open("/var/lib/dpkg/status", encoding="utf-8") as f:
            for line in f:
                if line.startswith("Package: "):
                    pkg = line.split(":", 1)[1].strip()
                elif line.startswith("Version: ") and pkg:
                    out.setdefault(pkg, line.split(":", 1)[1].strip())
    except OSError:
        pass
    return out


DPKG = _dpkg_versions()


def source_of(lib):
    """'<lib> <version> (Debian bookworm <package> <debian version>)'."""
    mod, pkg = {
        "python": (None, "libpython3.11-stdlib"), "numpy": ("numpy", "python3-numpy"),
        "torch": ("torch", "python3-torch"), "sklearn": ("sklearn", "python3-sklearn"),
        "pandas": ("pandas", "python3-pandas"), "xgboost": ("xgboost", "python3-xgboost"),
        "joblib": ("joblib", "python3-joblib"), "scipy": ("scipy", "python3-scipy"),
        "pytz": ("pytz", "python3-tz"), "dateutil": ("dateutil", "python3-dateutil"),
    }[lib]
    if mod is None:
        ver, name = "%d.%d.%d" % sys.version_info[:3], "CPython"
    else:
        ver, name = importlib.import_module(mod).__version__, lib
    deb = DPKG.get(pkg, "?")
    return "%s %s (Debian bookworm %s %s)" % (name, ver, pkg, deb)


# ---------------------------------------------------------------------------
# Recording unpickler

_LIT = {type(None): "none", bool: "bool", int: "int", float: "float", str: "str",
        bytes: "bytes", bytearray: "bytearray", tuple: "tuple", list: "list",
        dict: "dict", set: "set", frozenset: "frozenset"}


class Recorder:
    """What the probes saw: uses per global, argument signatures per call."""

    def __init__(self):
        self.uses = collections.defaultdict(set)
        self.calls = collections.defaultdict(collections.Counter)
        self.names = {}          # id(resolved object) -> "module.qualname"
        self.made = set()        # ids of objects produced by REDUCE/NEWOBJ/BUILD
        self.persid = set()      # ids of persistent_load results
        self.keep = []           # keeps objects alive so that ids stay unique

    def name_of(self, obj):
        return self.names.get(id(obj))

    def item(self, a):
        """An argument as brine's constraint language sees it."""
        n = self.name_of(a)
        if n is not None:
            return ("global", n)
        if id(a) in self.persid:
            return ("persid", None)
        if id(a) in self.made:
            return ("object", None)
        t = _LIT.get(type(a))
        if t is None:
            return ("object", None)
        if t == "str":
            return ("str", a if len(a) <= 40 else None)
        return (t, None)

    def sig(self, args):
        return tuple(self.item(a) for a in args)


REC = Recorder()


def _resolved(unp, module, name):
    if unp.proto < 3 and unp.fix_imports:
        import _compat_pickle
        if (module, name) in _compat_pickle.NAME_MAPPING:
            return _compat_pickle.NAME_MAPPING[(module, name)]
        if module in _compat_pickle.IMPORT_MAPPING:
            return _compat_pickle.IMPORT_MAPPING[module], name
    return module, name


def _note_global(unp, module, name, obj):
    m, n = _resolved(unp, module, name)
    full = m + "." + n
    REC.names[id(obj)] = full
    REC.keep.append(obj)
    REC.uses[full].add("reference")


def make_recording(base):
    """A subclass of `base` (pickle._Unpickler or a subclass) that records."""
    d = dict(base.dispatch)

    def load_global(self):
        module = self.readline()[:-1].decode("utf-8")
        name = self.readline()[:-1].decode("utf-8")
        klass = self.find_class(module, name)
        _note_global(self, module, name, klass)
        self.append(klass)
    d[pickle.GLOBAL[0]] = load_global

    def load_stack_global(self):
        name = self.stack.pop()
        module = self.stack.pop()
        klass = self.find_class(module, name)
        _note_global(self, module, name, klass)
        self.append(klass)
    d[pickle.STACK_GLOBAL[0]] = load_stack_global

    def load_inst(self):
        raise pickle.UnpicklingError("INST is not written by Python 3 picklers")
    d[pickle.INST[0]] = load_inst

    def wrap(code, before, after=None):
        orig = d[code[0]]

        def w(self):
            before(self)
            r = orig(self)
            if after:
                after(self)
            return r
        d[code[0]] = w

    def made(self):
        REC.made.add(id(self.stack[-1]))
        REC.keep.append(self.stack[-1])

    def on_reduce(self):
        args, f = self.stack[-1], self.stack[-2]
        if f is copyreg.__newobj__ or f is copyreg.__newobj_ex__:
            REC.uses[REC.name_of(args[0]) or repr(args[0])].add("construct")
            return
        if f is copyreg._reconstructor:
            REC.uses[REC.name_of(args[0]) or repr(args[0])].add("construct")
        n = REC.name_of(f) or "<computed %r>" % (f,)
        REC.uses[n].add("call")
        REC.calls[n][REC.sig(args)] += 1

    def on_newobj(self):
        c = self.stack[-2]
        REC.uses[REC.name_of(c) or repr(c)].add("construct")

    def on_newobj_ex(self):
        c = self.stack[-3]
        REC.uses[REC.name_of(c) or repr(c)].add("construct")

    def on_obj(self):
        items = list(self.stack)      # MARK started a fresh stack (Python >= 3.8)
        c = items[0]
        n = REC.name_of(c) or repr(c)
        if len(items) > 1 or not isinstance(c, type):
            REC.uses[n].add("call")
            REC.calls[n][REC.sig(items[1:])] += 1
        else:
            REC.uses[n].add("construct")

    wrap(pickle.REDUCE, on_reduce, made)
    wrap(pickle.NEWOBJ, on_newobj, made)
    wrap(pickle.NEWOBJ_EX, on_newobj_ex, made)
    wrap(pickle.OBJ, lambda self: None, made)
    wrap(pickle.BUILD, lambda self: None, made)
    for code in (pickle.BINPERSID, pickle.PERSID):
        orig = d[code[0]]

        def w(self, orig=orig):
            r = orig(self)
            REC.persid.add(id(self.stack[-1]))
            REC.keep.append(self.stack[-1])
            return r
        d[code[0]] = w
    def load(self):
        REC.made.clear()          # ids of call results are meaningful within one stream only
        REC.persid.clear()        # (small bytes objects are cached singletons)
        return base.load(self)
    return type("Recording" + base.__name__, (base,), {"dispatch": d, "load": load})


RecordingUnpickler = make_recording(pickle._Unpickler)


def probe(obj, protocols=(2, 3, 4, 5)):
    for p in protocols:
        RecordingUnpickler(io.BytesIO(pickle.dumps(obj, protocol=p))).load()


def pickled_name(obj):
    """The global name pickle writes for a function/class/ufunc object."""
    names = []
    for op, arg, _ in pickletools.genops(pickle.dumps(obj, protocol=4)):
        if op.name in ("SHORT_BINUNICODE", "BINUNICODE", "UNICODE"):
            names.append(arg)
        if op.name == "STACK_GLOBAL":
            return names[-2] + "." + names[-1]
    raise ValueError("%r does not pickle as a plain global" % (obj,))


def qualname(cls):
    return cls.__module__ + "." + cls.__qualname__


# ---------------------------------------------------------------------------
# Probes

def probe_stdlib():
    import decimal
    import fractions
    import uuid
    import argparse as ap
    objs = [set([1]), frozenset([2]), bytearray(b"x"), complex(1, 2), slice(1, 2), range(3),
            b"abc", b"", datetime.datetime(2020, 1, 2, 3, 4, 5, 6), datetime.date(2020, 1, 1),
            datetime.time(1, 2), datetime.time(1, 2, tzinfo=datetime.timezone.utc),
            datetime.timedelta(3, 4, 5), datetime.timezone.utc,
            datetime.timezone(datetime.timedelta(hours=2), "X"),
            datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc),
            decimal.Decimal("1.5"), fractions.Fraction(1, 3), uuid.UUID(int=5),
            collections.OrderedDict(a=1), collections.defaultdict(list, a=[1]),
            collections.defaultdict(None, b=2), collections.Counter("aab"),
            collections.deque([1, 2], maxlen=5), collections.deque([3]),
            ap.Namespace(lr=0.1, name="x"), [1, 2.5, "s", None, True, (1,), {"k": b"v"}],
            int, float, str, bytes, bool, list, dict, tuple]
    for o in objs:
        probe(o, (0, 1, 2, 3, 4, 5))


def probe_numpy():
    import numpy as np
    objs = [np.arange(3), np.arange(6.).reshape(2, 3).T, np.array(["a", "bc"]),
            np.array([b"x"]), np.array([1, "a", None], dtype=object),
            np.array([(1, 2.0)], dtype=[("a", "i4"), ("b", "f8")]), np.array(1.0),
            np.float64(1.5), np.int32(3), np.bool_(True), np.complex64(1j), np.str_("x"),
            np.bytes_(b"y"), np.datetime64("2020-01-01"), np.timedelta64(3, "s"),
            np.array(["2020-01-01"], dtype="M8[D]"), np.dtype("f4"), np.dtype([("a", "i4")]),
            np.dtype("O"), np.dtype("U3"), np.dtype("V4"), np.dtype(">i2"), np.float16(1),
            np.longdouble(1), np.void(b"ab"), np.ma.masked_array([1, 2], mask=[0, 1]),
            np.matrix([[1, 2]]), np.char.array(["a"]),
            np.rec.array([(1, 2)], dtype=[("a", "i4"), ("b", "i4")]),
            np.random.default_rng(0), np.random.RandomState(0), np.random.SeedSequence(3),
            np.random.MT19937(1), np.random.PCG64(1), np.random.PCG64DXSM(1),
            np.random.Philox(1), np.random.SFC64(1),
            np.random.Generator(np.random.Philox(1)),
            np.polynomial.Polynomial([1, 2]), np.polynomial.Chebyshev([1]),
            np.int64, np.float32, np.log1p, np.mean]
    for o in objs:
        probe(o)


def probe_torch():
    import torch
    rec_module = types.ModuleType("brine_recording_pickle")
    rec_module.__dict__.update(pickle.__dict__)
    rec_module.Unpickler = RecordingUnpickler

    def tload(obj):
        for p in (2, 3, 4, 5):
            for zipped in (True, False):
                b = io.BytesIO()
                torch.save(obj, b, pickle_protocol=p, _use_new_zipfile_serialization=zipped)
                b.seek(0)
                # torch.load() in this build ignores pickle_module; call the loaders directly
                if zipped:
                    with torch.serialization._open_zipfile_reader(b) as zf:
                        torch.serialization._load(zf, None, rec_module, encoding="utf-8")
                else:
                    torch.serialization._legacy_load(b, None, rec_module, encoding="utf-8")

    torch.manual_seed(0)
    m = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2), torch.nn.ReLU(),
                            torch.nn.Flatten(), torch.nn.LSTM(3, 4), torch.nn.Embedding(4, 2),
                            torch.nn.Linear(2, 2), torch.nn.Dropout(), torch.nn.GRU(2, 2),
                            torch.nn.TransformerEncoderLayer(8, 2), torch.nn.LayerNorm(3))
    opt = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
    adam = torch.optim.Adam(m.parameters())
    sched = torch.optim.lr_scheduler.StepLR(opt, 3)
    x = torch.ones(2)
    x.tag = "attr"
    objs = [m.state_dict(), m, torch.nn.DataParallel(torch.nn.Linear(2, 2)),
            {"opt": opt.state_dict(), "adam": adam.state_dict(), "sched": sched.state_dict(),
             "epoch": 3}, sched,
            torch.randn(2, 3), torch.nn.Parameter(torch.ones(2)), torch.Size([2, 3]),
            torch.device("cpu"), torch.device("cuda", 1), torch.float16, torch.bfloat16,
            torch.int8, torch.bool, torch.complex64, torch.ones(3, dtype=torch.bfloat16),
            torch.sparse_coo_tensor([[0, 1]], [1., 2.], (3,)), torch.ones(2, 2).to_sparse_csr(),
            torch.quantize_per_tensor(torch.ones(3), 0.1, 0, torch.quint8),
            torch.quantize_per_channel(torch.ones(2, 3), torch.tensor([0.1, 0.2]),
                                       torch.tensor([0, 0]), 0, torch.qint8),
            torch.empty(2, device="meta"), torch.ones(3)[1:], torch.per_tensor_affine,
            torch.ones(1, 2, 2, 2).to(memory_format=torch.channels_last),
            torch.ones(3, dtype=torch.float64).storage(), torch.Generator().get_state(),
            torch.ones(2).requires_grad_(), torch.ones(3, dtype=torch.complex128),
            torch.ones(2, dtype=torch.uint8), torch.tensor(True), x,
            torch.nn.utils.rnn.pack_sequence([torch.ones(3), torch.ones(2)])]
    for o in objs:
        tload(o)


def _sk_data():
    import numpy as np
    rng = np.random.RandomState(0)
    X = np.abs(rng.randn(60, 4)) + 0.1
    yc = np.array([0, 1, 2, 1] * 15)
    return rng, X, yc, yc % 2, rng.randn(60)


def probe_sklearn():
    import numpy as np
    import scipy.sparse as sp
    import pandas as pd
    from sklearn.utils import all_estimators
    from sklearn.utils.estimator_checks import _construct_instance
    from sklearn.base import is_classifier, is_regressor
    rng, X, yc, yb, yr = _sk_data()
    Y2 = np.c_[yc, yc[::-1]]
    texts = ["the cat sat", "a dog ran", "cats and dogs", "the end"] * 15
    special = {
        "CountVectorizer": [(texts,)], "TfidfVectorizer": [(texts,)], "HashingVectorizer": [(texts,)],
        "DictVectorizer": [([{"a": 1, "b": 2}, {"a": 3}],)], "FeatureHasher": [([{"a": 1}],)],
        "LabelEncoder": [(yc,)], "LabelBinarizer": [(yc,)],
        "MultiLabelBinarizer": [([[1, 2], [3]],)], "IsotonicRegression": [(X[:, 0], yr)],
        "KernelCenterer": [(X @ X.T,)], "SelectKBest": [(X, yc)],
    }
    for name, Est in all_estimators():
        try:
            est = _construct_instance(Est)
        except Exception:
            continue        # meta-estimators are built explicitly below
        if name == "SelectKBest":
            est.set_params(k=2)
        if name in ("GaussianRandomProjection", "SparseRandomProjection"):
            est.set_params(n_components=2)
        tries = special.get(name)
        if tries is None:
            tries = []
            if is_classifier(est):
                tries += [(X, yc), (X, Y2)]
            elif is_regressor(est):
                tries += [(X, yr), (X, Y2)]
            tries += [(X,), (X, yc), (X, yr), (X, Y2)]
        for a in tries:
            try:
                est.fit(*a)
                break
            except Exception:
                pass
        probe(est)

    from sklearn.pipeline import make_pipeline, FeatureUnion
    from sklearn.compose import ColumnTransformer, TransformedTargetRegressor, make_column_selector
    from sklearn.model_selection import GridSearchCV, RandomizedSearchCV, KFold, StratifiedKFold
    from sklearn.preprocessing import StandardScaler, OneHotEncoder, FunctionTransformer
    from sklearn.linear_model import LogisticRegression, SGDClassifier, SGDRegressor, Ridge
    from sklearn import ensemble as E
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer, CountVectorizer
    from sklearn.decomposition import PCA
    from sklearn.svm import SVC
    from sklearn.neighbors import KNeighborsClassifier, BallTree, KDTree
    from sklearn.tree import DecisionTreeClassifier
    from sklearn.utils import Bunch
    from sklearn.impute import SimpleImputer
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, WhiteKernel, Matern, DotProduct
    df = pd.DataFrame({"a": rng.randn(60), "b": ["x", "y", "z"] * 20, "c": rng.randint(0, 5, 60)})
    objs = [
        make_pipeline(StandardScaler(), LogisticRegression()).fit(X, yc),
        ColumnTransformer([("num", StandardScaler(), ["a", "c"]),
                           ("cat", OneHotEncoder(handle_unknown="ignore"), ["b"])]).fit(df),
        ColumnTransformer([("num", StandardScaler(), [0])], remainder="passthrough").fit(X),
        ColumnTransformer([("num", StandardScaler(), make_column_selector(dtype_include="number"))]).fit(df),
        FeatureUnion([("p", PCA(2)), ("s", StandardScaler())]).fit(X),
        GridSearchCV(LogisticRegression(), {"C": [0.1, 1]}, cv=2).fit(X, yc),
        GridSearchCV(LogisticRegression(), {"C": [1]}, cv=KFold(2)).fit(X, yc),
        RandomizedSearchCV(DecisionTreeClassifier(), {"max_depth": [1, 2, 3]}, n_iter=2,
                           cv=StratifiedKFold(2), random_state=0).fit(X, yc),
        GridSearchCV(SVC(), {"C": [1]}, cv=2, scoring=["accuracy", "f1_macro", "roc_auc_ovr"],
                     refit="accuracy").fit(X, yc),
        GridSearchCV(Ridge(), {"alpha": [1]}, cv=2, scoring="neg_mean_squared_error").fit(X, yr),
        CalibratedClassifierCV(SVC(), cv=2).fit(X, yb),
        CalibratedClassifierCV(SVC(), cv=2, method="isotonic").fit(X, yb),
        TfidfVectorizer().fit(texts), CountVectorizer(ngram_range=(1, 2), stop_words="english").fit(texts),
        E.GradientBoostingClassifier(n_estimators=3).fit(X, yc),
        E.GradientBoostingClassifier(n_estimators=3).fit(X, yb),
        E.GradientBoostingClassifier(n_estimators=3, loss="exponential").fit(X, yb),
        E.GradientBoostingRegressor(n_estimators=3, loss="huber").fit(X, yr),
        E.GradientBoostingRegressor(n_estimators=3, loss="quantile").fit(X, yr),
        E.GradientBoostingRegressor(n_estimators=3, loss="absolute_error").fit(X, yr),
        E.HistGradientBoostingClassifier(max_iter=3).fit(X, yc),
        E.HistGradientBoostingClassifier(max_iter=3).fit(X, yb),
        E.HistGradientBoostingRegressor(max_iter=3).fit(X, yr),
        E.HistGradientBoostingRegressor(max_iter=3, loss="absolute_error").fit(X, yr),
        E.HistGradientBoostingRegressor(max_iter=3, loss="poisson").fit(X, np.abs(yr)),
        E.HistGradientBoostingRegressor(max_iter=3, loss="quantile", quantile=0.3).fit(X, yr),
        E.HistGradientBoostingClassifier(max_iter=3, categorical_features=[0]).fit(
            np.c_[rng.randint(0, 3, 60), X], yc),
        E.StackingClassifier([("a", LogisticRegression()), ("b", DecisionTreeClassifier())]).fit(X, yc),
        E.VotingClassifier([("a", LogisticRegression()), ("b", DecisionTreeClassifier())],
                           voting="soft").fit(X, yc),
        SVC(probability=True).fit(sp.csr_matrix(X), yc),
        KNeighborsClassifier(algorithm="ball_tree").fit(X, yc),
        KNeighborsClassifier(algorithm="kd_tree", p=3).fit(X, yc),
        KNeighborsClassifier(algorithm="ball_tree", metric="manhattan").fit(X, yc),
        KNeighborsClassifier(algorithm="brute", metric="cosine").fit(X, yc),
        KNeighborsClassifier(algorithm="ball_tree", metric="haversine").fit(X[:, :2], yc),
        BallTree(X), KDTree(X), BallTree(X, metric="chebyshev"),
        Bunch(a=1, b=np.arange(2)), sp.csr_matrix(X), sp.csc_matrix(X), sp.coo_matrix(X),
        sp.dia_matrix(np.eye(3)), sp.lil_matrix(X), sp.dok_matrix(X[:3]), sp.bsr_matrix(X),
        sp.csr_array(X), sp.csc_array(X), sp.coo_array(X),
        TransformedTargetRegressor(regressor=Ridge(), func=np.log1p, inverse_func=np.expm1).fit(X, np.abs(yr)),
        FunctionTransformer(np.log1p).fit(X),
        SimpleImputer(strategy="most_frequent").fit(df),
        OneHotEncoder(sparse_output=False, dtype=np.float32).fit(df[["b"]]),
        E.RandomForestClassifier(3, oob_score=True, random_state=np.random.RandomState(0)).fit(X, yc),
        E.AdaBoostClassifier(n_estimators=3).fit(X, yc), E.AdaBoostRegressor(n_estimators=3).fit(X, yr),
        E.BaggingClassifier(n_estimators=2).fit(X, yc),
        GaussianProcessRegressor(RBF() + WhiteKernel()).fit(X, yr),
        GaussianProcessRegressor(Matern() * DotProduct()).fit(X, yr),
    ]
    for o in objs:
        probe(o)
    for loss in ("log_loss", "modified_huber", "squared_hinge", "perceptron", "huber",
                 "epsilon_insensitive", "squared_epsilon_insensitive", "squared_error", "hinge"):
        probe(SGDClassifier(loss=loss).fit(X, yc))
    for loss in ("huber", "epsilon_insensitive", "squared_epsilon_insensitive", "squared_error"):
        probe(SGDRegressor(loss=loss).fit(X, yr))

    # joblib.dump / joblib.load, uncompressed and zlib, file and file object
    import tempfile
    import joblib
    import joblib.numpy_pickle as jnp
    orig = jnp.NumpyUnpickler
    jnp.NumpyUnpickler = make_recording(orig)
    try:
        for est in (E.RandomForestClassifier(3, random_state=0).fit(X, yc),
                    make_pipeline(StandardScaler(), LogisticRegression()).fit(X, yc),
                    {"a": np.arange(3), "o": np.array([1, "x"], dtype=object),
                     "m": np.asfortranarray(X)}):
            for comp in (0, 3):
                b = io.BytesIO()
                joblib.dump(est, b, compress=comp)
                b.seek(0)
                joblib.load(b)
            with tempfile.TemporaryDirectory() as d:
                p = os.path.join(d, "m.joblib")
                joblib.dump(est, p)
                joblib.load(p)
                joblib.load(p, mmap_mode="r")
    finally:
        jnp.NumpyUnpickler = orig


def probe_pandas():
    import numpy as np
    import pandas as pd
    import pytz
    import dateutil.tz
    import pandas._libs.tslibs.offsets as off
    rng = np.random.RandomState(0)
    objs = [
        pd.DataFrame({"a": [1, 2], "b": [1.5, 2.5], "c": ["x", "y"], "d": pd.Categorical(["u", "v"]),
                      "e": pd.to_datetime(["2020-01-01", "2020-01-02"]),
                      "f": pd.to_datetime(["2020-01-01", "2020-01-02"]).tz_localize("UTC"),
                      "g": pd.to_timedelta([1, 2], unit="s"), "h": [True, False],
                      "i": pd.array([1, None], dtype="Int64"), "j": pd.array([True, None], dtype="boolean"),
                      "k": pd.array(["a", None], dtype="string"),
                      "l": pd.period_range("2020-01", periods=2, freq="M"),
                      "m": pd.arrays.IntervalArray.from_breaks([0, 1, 2]),
                      "n": pd.array([1.5, None], dtype="Float64"), "o": pd.arrays.SparseArray([0, 1]),
                      "p": pd.Series([1.0, 2.0], dtype="Float32"), "q": pd.array([1, 2], dtype="UInt8")}),
        pd.Series([1, 2, 3], name="s"), pd.Series(["a", "b"], index=pd.Index(["x", "y"], name="ix")),
        pd.Index([1, 2]), pd.RangeIndex(5), pd.Index([1.5]), pd.Index(["a"]),
        pd.MultiIndex.from_tuples([("a", 1), ("b", 2)]), pd.CategoricalIndex(["a", "b"]),
        pd.DatetimeIndex(["2020-01-01"]), pd.date_range("2020", periods=3, freq="D"),
        pd.date_range("2020", periods=3, freq="H", tz="Europe/Paris"),
        pd.TimedeltaIndex([1], unit="D"), pd.PeriodIndex(["2020-01"], freq="M"),
        pd.IntervalIndex.from_breaks([0, 1]), pd.Index([True, False]), pd.Index([1, 2], dtype="uint64"),
        pd.Timestamp("2020-01-01"), pd.Timestamp("2020-01-01", tz="UTC"),
        pd.Timestamp("2020-01-01", tz="US/Eastern"), pd.Timedelta(5, unit="s"),
        pd.Period("2020-01", freq="M"), pd.Interval(0, 1), pd.NaT, pd.NA,
        pd.Categorical(["a", "b", "a"], ordered=True), pd.CategoricalDtype(["a", "b"]),
        pd.DatetimeTZDtype(tz="UTC"), pd.PeriodDtype("M"), pd.IntervalDtype("int64"),
        pd.SparseDtype("int64"), pd.StringDtype(), pd.Int64Dtype(), pd.BooleanDtype(),
        pd.DataFrame(rng.randn(3, 2), columns=pd.MultiIndex.from_tuples([("a", "x"), ("a", "y")])),
        pd.DataFrame({"x": [1, 2]}).astype("float32"),
        pd.Series(pd.date_range("2020", periods=2, tz="Asia/Tokyo")),
        pd.Series([1, 2], index=pd.date_range("2020", periods=2, freq="D")),
        pd.Series([1, 2], index=pd.period_range("2020", periods=2, freq="Q")),
        datetime.datetime(2020, 1, 1, tzinfo=pytz.timezone("US/Eastern")), pytz.UTC,
        pytz.timezone("Asia/Tokyo"), pytz.FixedOffset(60), dateutil.tz.tzutc(),
        dateutil.tz.tzoffset("X", 3600), dateutil.tz.tzlocal(), dateutil.tz.gettz("Europe/Paris"),
        dateutil.tz.tzstr("EST5EDT"), pd.Timestamp("2020-01-01", tz=dateutil.tz.gettz("Europe/Paris")),
        pd.Timestamp("2020-01-01", tz=datetime.timezone.utc),
        pd.DateOffset(months=1, days=2), pd.DateOffset(),
        pd.offsets.CustomBusinessDay(holidays=["2020-01-01"]), pd.offsets.BusinessHour(start="10:00"),
        pd.offsets.Week(2, weekday=3), pd.offsets.Minute(5),
        pd.offsets.FY5253(weekday=1, startingMonth=3, variation="nearest"),
    ]
    public = set(pd.tseries.offsets.__all__)
    for n, c in sorted(vars(off).items()):
        if n in public and inspect.isclass(c) and issubclass(c, off.BaseOffset):
            objs.append(c())
    for o in objs:
        probe(o)


def probe_xgboost():
    import numpy as np
    import xgboost as xgb
    rng = np.random.RandomState(0)
    X = rng.randn(50, 4)
    yc = np.array([0, 1, 2, 1, 0] * 10)
    yr = rng.randn(50)
    objs = [xgb.XGBClassifier(n_estimators=3).fit(X, yc), xgb.XGBClassifier(n_estimators=3).fit(X, yc % 2),
            xgb.XGBRegressor(n_estimators=3).fit(X, yr), xgb.XGBRFClassifier(n_estimators=3).fit(X, yc % 2),
            xgb.XGBRFRegressor(n_estimators=3).fit(X, yr),
            xgb.XGBRanker(n_estimators=3).fit(X, (yr > 0).astype(int), group=[25, 25]),
            xgb.train({"verbosity": 0}, xgb.DMatrix(X, label=yr), 3), xgb.XGBClassifier()]
    for o in objs:
        probe(o)


def run_probes():
    import random
    import numpy as np
    warnings.simplefilter("ignore")
    random.seed(0)
    np.random.seed(0)     # estimators left with random_state=None draw from the global RNG
    for f in (probe_stdlib, probe_numpy, probe_torch, probe_sklearn, probe_pandas, probe_xgboost):
        f()
    return REC


# ---------------------------------------------------------------------------
# Entry construction

class Entries:
    def __init__(self):
        self.by_profile = {p: {} for p in PROFILES}
        self.dunder = {p: {} for p in PROFILES}
        self.where = {}

    def add(self, profile, glob, use, source, reason=None, args=None, dunder=False):
        e = {"global": glob, "use": use}
        if args:
            e["args"] = args
        e["profile"] = profile
        if reason:
            e["reason"] = reason
        e["source"] = source
        dunder = False      # see _dunder(): these are ordinary module attributes
        table = self.by_profile
        old = self.where.get(glob)
        if old is not None:
            otable = self.dunder if old[1] else self.by_profile
            oe = otable[old[0]][glob]
            if RANK[use] <= RANK[oe["use"]] and not args:
                return oe        # an enumeration meeting an entry it already has
            if oe["use"] != "call" and "args" not in oe and old[0] == profile:
                del otable[old[0]][glob]     # upgrade reference -> construct/call
            else:
                raise SystemExit("conflicting entries for %s (%s and %s)" % (glob, old[0], profile))
        table[profile][glob] = e
        self.where[glob] = (profile, dunder)
        return e

    def get(self, glob):
        w = self.where.get(glob)
        if w is None:
            return None
        return (self.dunder if w[1] else self.by_profile)[w[0]][glob]

    def all(self):
        for p in PROFILES:
            for e in self.by_profile[p].values():
                yield e
            for e in self.dunder[p].values():
                yield e


def T(*names):
    return {"type": list(names)}


def G(*names):
    return {"global": sorted(names)}


def A(use):
    return {"allowed": use}


def V(*vals):
    return {"value": list(vals)}


def args(count, **pos):
    a = {"count": count}
    for k in sorted(pos, key=lambda s: int(s[1:])):
        a[k[1:]] = pos[k]
    return a


# Callables that call or construct one of their own arguments -> indices that must carry an
# "allowed" or "global" constraint. The check enforces it.
ARG_CALLERS = {
    "copyreg._reconstructor": [0, 1],
    "collections.defaultdict": [0],
    "torch._tensor._rebuild_from_type_v2": [0, 1],
    "torch._utils._rebuild_wrapper_subclass": [0],
    "numpy.core.multiarray._reconstruct": [0],
    "numpy.ma.core._mareconstruct": [0, 1],
    "numpy.random._pickle.__generator_ctor": [1],
    "numpy.random._pickle.__randomstate_ctor": [1],
    "numpy.random.bit_generator.__pyx_unpickle_SeedSequence": [0],
    "sklearn.metrics._dist_metrics.newObj": [0],
    "sklearn.neighbors._ball_tree.newObj": [0],
    "sklearn.neighbors._kd_tree.newObj": [0],
    "pandas.core.indexes.base._new_Index": [0],
    "pandas.core.indexes.datetimes._new_DatetimeIndex": [0],
    "pandas.core.indexes.interval._new_IntervalIndex": [0],
    "pandas._libs.arrays.__pyx_unpickle_NDArrayBacked": [0],
    "pandas._libs.interval.__pyx_unpickle_IntervalMixin": [0],
}

# Globals the probes saw but that stay out of the allowlists, with the reason. Anything else
# a probe sees that no entry covers fails generation.
NOT_ALLOWED = {
    "builtins.type":
        "type(None) pickles as builtins.type(None); type() with three arguments creates classes",
}

# Probed call signatures that the constraints deliberately reject: (global, argument index,
# argument as the recorder sees it) -> reason. Such pickles are judged unsafe by brine.
REJECTED_SIGS = {
    ("numpy.dtype", 0, ("global", "numpy.record")):
        "record arrays (np.rec.array) pickle their dtype as numpy.dtype(numpy.record, ...); the "
        "constraint language has one form per argument and the str form is the one every other "
        "array needs (a type object would also let dtype() read attributes of an arbitrary class)",
}


def _is_cls(obj):
    return isinstance(obj, type)


def build_stdlib(E):
    S = source_of("python")
    add = lambda g, u, reason=None, a=None: E.add("stdlib", g, u, S, reason, a)
    lit = ["list", "tuple", "set", "frozenset"]
    add("builtins.set", "call",
        "builtins.set: builds a set from a literal sequence (pickle writes set(list) below "
        "protocol 4); hashes the elements only; no other side effects", args([0, 1], a0=T(*lit)))
    add("builtins.frozenset", "call",
        "builtins.frozenset: builds a frozenset from a literal sequence; hashes the elements "
        "only", args([0, 1], a0=T(*lit)))
    add("builtins.bytearray", "call",
        "builtins.bytearray: copies bytes (protocol 3-4 form; protocols 0-2 pass the bytes made "
        "by _codecs.encode, an object) or encodes a str with latin-1; integer literals are not "
        "allowed, so it is not an allocation primitive",
        args([0, 2], a0=T("bytes", "str", "list", "object"), a1=V("latin-1", "latin1")))
    add("builtins.bytes", "call",
        "builtins.bytes: pickle writes bytes() with no arguments for b'' below protocol 3",
        args(0))
    add("builtins.complex", "call", "builtins.complex: builds a number from two floats",
        args([0, 2], a0=T("float", "int"), a1=T("float", "int")))
    add("builtins.slice", "call", "builtins.slice: builds a slice object from integers/None; "
        "no side effects", args([1, 3], a0=T("int", "none"), a1=T("int", "none"), a2=T("int", "none")))
    add("builtins.range", "call", "builtins.range: lazy integer range; nothing is allocated",
        args([1, 3], a0=T("int"), a1=T("int"), a2=T("int")))
    for n in ("object", "list", "dict", "tuple", "int", "float", "str", "bytes", "bool"):
        if E.get("builtins." + n) is None:
            add("builtins." + n, "reference",
                "builtin type used only as a value (a defaultdict factory, a dtype parameter, "
                "the base class argument of copyreg._reconstructor)")
    add("_codecs.encode", "call",
        "_codecs.encode(str, 'latin1') is how protocols 0-2 spell a bytes object; with the "
        "encoding fixed to latin1 it only converts text to bytes",
        args(2, a0=T("str"), a1=V("latin1")))
    add("copyreg._reconstructor", "call",
        "copyreg._reconstructor(cls, base, state): base.__new__(cls, state), then "
        "base.__init__(obj, state) unless base is object; allowed only for a cls the allowlists "
        "allow to construct and a builtin data base class, so it creates an instance without "
        "running cls code",
        args(3, a0=A("construct"),
             a1=G("builtins.object", "builtins.dict", "builtins.list", "builtins.set",
                  "builtins.frozenset", "builtins.tuple", "builtins.int", "builtins.float",
                  "builtins.str", "builtins.bytes"),
             a2=T("none", "dict", "list", "tuple", "set", "frozenset", "int", "float", "str",
                  "bytes", "bool")))
    add("collections.OrderedDict", "call",
        "collections.OrderedDict: an empty ordered dict (filled by SETITEMS) or one built from "
        "a literal list of pairs (old pickles); no side effects",
        args([0, 1], a0=T("list", "tuple", "dict")))
    add("collections.Counter", "call",
        "collections.Counter(dict): a dict subclass filled from a literal dict",
        args([0, 1], a0=T("dict")))
    add("collections.deque", "call",
        "collections.deque(iterable, maxlen): filled from a literal sequence; maxlen an int",
        args([0, 2], a0=T("list", "tuple"), a1=T("int", "none")))
    add("collections.defaultdict", "call",
        "collections.defaultdict(factory): stores the factory and calls it (with no arguments) "
        "only when a missing key is read later; the factory is restricted to builtin container "
        "and number types and the collections containers",
        args([0, 1], a0=G("builtins.list", "builtins.dict", "builtins.set", "builtins.int",
                          "builtins.float", "builtins.str", "builtins.tuple",
                          "builtins.frozenset", "collections.OrderedDict",
                          "collections.Counter", "collections.deque",
                          "collections.defaultdict")))
    bytes_state = T("bytes", "str", "object")
    add("datetime.datetime", "call",
        "datetime.datetime(state bytes[, tzinfo]): the C constructor decodes the 10-byte packed "
        "state (protocol 0-2 streams pass the result of _codecs.encode); tzinfo must be a tzinfo "
        "instance; no other side effects",
        args([1, 2], a0=bytes_state, a1=T("object", "none")))
    add("datetime.date", "call", "datetime.date(state bytes): decodes the 4-byte packed state",
        args(1, a0=bytes_state))
    add("datetime.time", "call",
        "datetime.time(state bytes[, tzinfo]): decodes the 6-byte packed state",
        args([1, 2], a0=bytes_state, a1=T("object", "none")))
    add("datetime.timedelta", "call", "datetime.timedelta(days, seconds, microseconds): numbers only",
        args([0, 3], a0=T("int", "float"), a1=T("int", "float"), a2=T("int", "float")))
    add("datetime.timezone", "call",
        "datetime.timezone(offset[, name]): offset must be a timedelta instance, name a str",
        args([1, 2], a0=T("object"), a1=T("str")))
    add("decimal.Decimal", "call",
        "decimal.Decimal(str): parses a decimal literal (the C implementation); no side effects",
        args(1, a0=T("str", "int")))
    add("fractions.Fraction", "call",
        "fractions.Fraction(numerator, denominator) from integers or a str literal; pure arithmetic",
        args([1, 2], a0=T("int", "str"), a1=T("int")))
    add("uuid.UUID", "construct",
        "value type; BUILD runs UUID.__setstate__, which stores the integer and the is_safe flag")
    add("argparse.Namespace", "construct",
        "plain attribute container (common in training checkpoints); BUILD updates __dict__")


def build_numpy(E):
    import numpy as np
    S = source_of("numpy")
    add = lambda g, u, reason=None, a=None, dunder=False: E.add("numpy", g, u, S, reason, a, dunder)
    nd_classes = ["numpy.ndarray", "numpy.matrix", "numpy.recarray", "numpy.chararray"]
    add("numpy.dtype", "call",
        "numpy.dtype(typestr, align, copy) parses a type string such as 'f8' or 'V8' (pure C, no "
        "import); BUILD runs dtype.__setstate__ with the byte order, fields and sizes. A type object "
        "as first argument is not allowed: dtype() would read attributes of an arbitrary class",
        args([1, 3], a0=T("str"), a1=T("bool"), a2=T("bool")))
    for n in nd_classes:
        add(n, "construct",
            "ndarray (subclass); BUILD runs ndarray.__setstate__, which checks that the data length "
            "matches shape and dtype (object arrays get a literal list)")
    add("numpy.record", "reference", "scalar type of record arrays; named by record dtypes")
    add("numpy.core.multiarray._reconstruct", "call",
        "numpy.core.multiarray._reconstruct(subtype, shape, typecode) = ndarray.__new__(subtype, "
        "shape, typecode): allocates an empty array of the given ndarray subclass (whose "
        "__array_finalize__ is library code); the data arrives by BUILD",
        args(3, a0=G(*nd_classes), a1=T("tuple"), a2=T("bytes", "str", "object")))
    add("numpy.core.multiarray.scalar", "call",
        "numpy.core.multiarray.scalar(dtype, bytes) builds a numpy scalar from its raw bytes "
        "(object dtype: returns the second argument unchanged); no other side effects",
        args([1, 2], a0=T("object"), a1=T("bytes", "str", "object")))
    add("numpy.core.numeric._frombuffer", "call",
        "numpy.core.numeric._frombuffer(buf, dtype, shape, order) = frombuffer(buf, dtype)"
        ".reshape(shape, order): protocol-5 in-band array data; frombuffer refuses object dtypes",
        args(4, a0=T("bytes", "bytearray"), a1=T("object"), a2=T("tuple"), a3=V("C", "F")))
    add("numpy.ma.core.MaskedArray", "construct",
        "masked array; BUILD runs MaskedArray.__setstate__ (data, mask, fill value)")
    add("numpy.ma.core._mareconstruct", "call",
        "numpy.ma.core._mareconstruct(subtype, baseclass, shape, typecode): two ndarray.__new__ "
        "calls and MaskedArray.__new__; both class arguments are restricted",
        args(4, a0=G("numpy.ma.core.MaskedArray"), a1=G(*nd_classes), a2=T("tuple"),
             a3=T("bytes", "str", "object")))
    # scalar types (stored as dtype parameters, e.g. OneHotEncoder(dtype=np.float64))
    seen = set()
    for t in sorted(set(np.sctypeDict.values()), key=lambda t: t.__name__):
        n = pickled_name(t)
        if n not in seen:
            seen.add(n)
            add(n, "reference", "numpy scalar type used as a value (dtype parameter)")
    for n in ("generic", "number", "integer", "signedinteger", "unsignedinteger", "inexact",
              "floating", "complexfloating", "flexible", "character"):
        add("numpy." + n, "reference", "numpy abstract scalar type used as a value")
    # ufuncs (FunctionTransformer(func=np.log1p) etc. store them; pure element-wise maths)
    for n in sorted(dir(np)):
        f = getattr(np, n)
        if isinstance(f, np.ufunc):
            g = pickled_name(f)
            if E.get(g) is None:
                add(g, "reference", "numpy ufunc stored as a value (pure element-wise computation)")
    add("numpy.mean", "reference", "stored as a value (FeatureAgglomeration pooling_func default)")
    # random
    for c in (np.random.RandomState, np.random.Generator, np.random.MT19937, np.random.PCG64,
              np.random.PCG64DXSM, np.random.Philox, np.random.SFC64, np.random.SeedSequence):
        add(qualname(c), "construct",
            "random state object; BUILD runs its __setstate__, which validates and copies the "
            "generator state dict")
    add("numpy.random._pickle.__bit_generator_ctor", "call",
        "numpy.random._pickle.__bit_generator_ctor(name): looks name up in the fixed dict "
        "BitGenerators (MT19937, PCG64, PCG64DXSM, Philox, SFC64) and instantiates that class; "
        "unknown names raise ValueError",
        args([0, 1], a0=T("str")), dunder=True)
    ctor_reason = ("numpy.random._pickle.%s(name, bit_generator_ctor) returns %s(bit_generator_ctor"
                   "(name)); it calls its second argument, which is therefore restricted to "
                   "__bit_generator_ctor")
    add("numpy.random._pickle.__generator_ctor", "call",
        ctor_reason % ("__generator_ctor", "Generator"),
        args([0, 2], a0=T("str"), a1=G("numpy.random._pickle.__bit_generator_ctor")), dunder=True)
    add("numpy.random._pickle.__randomstate_ctor", "call",
        ctor_reason % ("__randomstate_ctor", "RandomState"),
        args([0, 2], a0=T("str"), a1=G("numpy.random._pickle.__bit_generator_ctor")), dunder=True)
    add("numpy.random.bit_generator.__pyx_unpickle_SeedSequence", "call",
        "Cython pickle helper: checks the layout checksum, creates SeedSequence.__new__(cls) "
        "(cls restricted to SeedSequence) and copies the typed fields from the state tuple",
        args(3, a0=G("numpy.random.bit_generator.SeedSequence"), a1=T("int"), a2=T("tuple", "none")),
        dunder=True)
    for c in (np.polynomial.Polynomial, np.polynomial.Chebyshev, np.polynomial.Legendre,
              np.polynomial.Laguerre, np.polynomial.Hermite, np.polynomial.HermiteE):
        add(qualname(c), "construct", "polynomial value object; BUILD replaces __dict__")


def torch_dtype_names():
    import torch
    return sorted({str(v) for v in vars(torch).values() if isinstance(v, torch.dtype)})


def build_torch(E):
    import torch
    import pkgutil
    S = source_of("torch")
    add = lambda g, u, reason=None, a=None: E.add("torch", g, u, S, reason, a)
    dtypes = torch_dtype_names()
    for n in dtypes:
        add(n, "reference", "torch dtype object")
    for n in sorted(k for k, v in vars(torch).items() if isinstance(v, torch.qscheme)):
        add("torch." + n, "reference", "quantization scheme constant (quantized tensor parameters)")
    for c in sorted(torch._storage_classes, key=qualname):
        add(qualname(c), "reference",
            "storage type named in a torch.save persistent id; the data comes from the archive")
    for n in ("UntypedStorage", "TypedStorage"):   # torch >= 2.0 writes these names
        if E.get("torch." + n) is None:
            add("torch." + n, "reference", "storage type named in a torch.save persistent id")
    for c in sorted(torch._tensor_classes, key=qualname):
        add(qualname(c), "reference", "legacy tensor type object")
    add("torch.Tensor", "construct",
        "tensor; Tensor.__new__ makes an empty tensor, BUILD runs Tensor.__setstate__ (requires_grad, "
        "backward hooks, legacy set_() from storage with bounds checks)")
    add("torch.nn.parameter.Parameter", "construct",
        "parameter tensor; Parameter.__new__(cls) makes an empty one, BUILD as torch.Tensor")
    add("torch.Size", "call", "torch.Size(tuple): a tuple subclass of integers",
        args(1, a0=T("tuple", "list")))
    add("torch.device", "call", "torch.device(type[, index]): parses a device string; no side effects",
        args([1, 2], a0=T("str"), a1=T("int")))
    add("torch.serialization._get_layout", "call",
        "torch.serialization._get_layout(name): returns the torch.layout whose str() is name, from a "
        "cache filled by scanning torch's own namespace; unknown names raise KeyError",
        args(1, a0=T("str")))
    D = G(*dtypes)
    hooks = T("object", "dict")
    add("torch._utils._rebuild_tensor", "call",
        "legacy tensor rebuild: torch.tensor([]) of the storage's dtype, then set_(storage, offset, "
        "size, stride) (set_ checks the view against the storage size)",
        args(4, a0=T("persid", "object"), a1=T("int"), a2=T("tuple"), a3=T("tuple")))
    add("torch.storage._load_from_bytes", "call",
        "plain pickle.dumps() of a tensor or storage: torch.load(io.BytesIO(b)) on bytes from the "
        "file, an unrestricted nested unpickling. Allowed only because brine scans those bytes as "
        "a legacy torch stream (magic, protocol, sys_info, object with storage persistent ids, "
        "storage keys) and requires that scan to be safe",
        args(1, a0={"type": ["bytes"], "pickle": "torch-legacy"}))
    add("torch._utils._rebuild_tensor_v2", "call",
        "_rebuild_tensor(storage, offset, size, stride), then sets requires_grad and stores "
        "backward_hooks in tensor._backward_hooks (torch writes an empty OrderedDict; hooks run only "
        "in a later backward pass). The storage must come from the archive (persistent id)",
        args([6, 7], a0=T("persid", "object"), a1=T("int"), a2=T("tuple"), a3=T("tuple"), a4=T("bool"),
             a5=hooks, a6=T("dict", "object", "none")))
    add("torch._utils._rebuild_parameter", "call",
        "torch.nn.Parameter(data, requires_grad) around a rebuilt tensor; stores backward_hooks "
        "like _rebuild_tensor_v2",
        args(3, a0=T("object"), a1=T("bool"), a2=hooks))
    add("torch._utils._rebuild_qtensor", "call",
        "quantized tensor: allocates with torch._empty_affine_quantized / _empty_per_channel_affine_"
        "quantized from the quantizer tuple (scheme constant, scales, zero points, axis), then set_ "
        "onto the archive storage; other schemes raise",
        args(7, a0=T("persid"), a1=T("int"), a2=T("tuple"), a3=T("tuple"), a4=T("tuple"),
             a5=T("bool"), a6=hooks))
    add("torch._utils._rebuild_sparse_tensor", "call",
        "sparse COO tensor from (indices, values, size); torch.load validates the indices "
        "afterwards; other layouts raise",
        args(2, a0=T("object"), a1=T("tuple")))
    add("torch._utils._rebuild_sparse_csr_tensor", "call",
        "sparse CSR tensor from (crow, col, values, size); validated after loading like COO",
        args(2, a0=T("object"), a1=T("tuple")))
    add("torch._utils._rebuild_meta_tensor_no_storage", "call",
        "torch.empty_strided(size, stride, dtype, device='meta'): a tensor without data",
        args(4, a0=D, a1=T("tuple"), a2=T("tuple"), a3=T("bool")))
    add("torch._utils._rebuild_device_tensor_from_numpy", "call",
        "torch.from_numpy(array).to(dtype, device): copies a numpy array (from_numpy refuses "
        "object arrays)",
        args(4, a0=T("object"), a1=D, a2=T("str", "object"), a3=T("bool")))
    add("torch._utils._rebuild_wrapper_subclass", "call",
        "Tensor._make_wrapper_subclass(cls, size, ...): creates an instance of the tensor subclass "
        "cls without running its __init__; cls must be allowed for construct",
        args(8, a0=A("construct"), a1=D, a2=T("tuple"), a3=T("tuple"), a4=T("int"),
             a5=T("object"), a6=T("str", "object"), a7=T("bool")))
    add("torch._tensor._rebuild_from_type_v2", "call",
        "_rebuild_from_type_v2(func, new_type, args, state): ret = func(*args); ret.as_subclass("
        "new_type); then new_type.__setstate__(state) or setattr for each state item. It calls "
        "func and constructs new_type, so func must be allowed for call (and args must satisfy "
        "func's own constraints) and new_type allowed for construct",
        args(4, a0=A("call"), a1=A("construct"), a2=T("tuple"), a3=T("dict", "tuple", "none")))
    # nn.Module classes
    mods = ["torch.nn"] + [m.name for m in pkgutil.walk_packages(torch.nn.__path__, "torch.nn.")]
    classes = {}
    for name in sorted(mods):
        if ".parallel" in name and not name.endswith("data_parallel"):
            continue       # DistributedDataParallel.__setstate__ joins a process group
        if "parametriz" in name or name == "torch.nn.cpp" or ".tests" in name:
            continue
        try:
            mod = importlib.import_module(name)
        except Exception:
            continue
        for v in vars(mod).values():
            if inspect.isclass(v) and issubclass(v, torch.nn.Module):
                q = qualname(v)
                if (".parallel" in q and "DataParallel" != v.__name__) or "parametriz" in q \
                        or q.startswith("torch.nn.cpp"):
                    continue
                classes[q] = v
    for q in sorted(classes):
        add(q, "construct",
            "torch.nn Module class; BUILD runs Module.__setstate__ (or the class's own, which "
            "restores defaults and re-initialises flat weights/fast-path flags): attribute updates only")
    for c in sorted([c for c in vars(torch.optim).values()
                     if inspect.isclass(c) and issubclass(c, torch.optim.Optimizer)], key=qualname):
        add(qualname(c), "construct",
            "optimizer; BUILD runs Optimizer.__setstate__ (updates __dict__, sets defaults, wraps "
            "step() with the profiler hook)")
    L = torch.optim.lr_scheduler
    for c in sorted([c for c in vars(L).values() if inspect.isclass(c)
                     and (issubclass(c, L._LRScheduler) or c is L.ReduceLROnPlateau)], key=qualname):
        if c.__name__ in ("LambdaLR", "MultiplicativeLR"):
            continue   # hold user callables that step() calls
        add(qualname(c), "construct", "learning-rate scheduler; BUILD updates __dict__")
    add("torch.nn.utils.rnn.PackedSequence", "construct",
        "namedtuple of tensors; PackedSequence.__new__ only type-checks its tensor fields")
    F = torch.nn.functional
    for n in ("relu", "gelu", "silu", "elu", "leaky_relu", "tanh", "sigmoid", "softmax",
              "log_softmax", "mish", "hardswish", "selu", "softplus", "relu6", "glu", "hardtanh",
              "celu", "hardsigmoid", "softsign", "tanhshrink", "logsigmoid"):
        g = pickled_name(getattr(F, n))
        if g.startswith("torch.") and E.get(g) is None:
            add(g, "reference",
                "activation function stored as a module attribute (TransformerEncoderLayer."
                "activation); a pure tensor operation")


def _sk_funcs_of_scorers():
    from sklearn.metrics import _scorer
    names = set()
    for s in _scorer._SCORERS.values():
        f = getattr(s, "_score_func", None)
        if f is not None:
            names.add(pickled_name(f))
    return sorted(names)


def build_sklearn(E, rec):
    import scipy.sparse as sp
    from sklearn.utils import all_estimators
    S = source_of("sklearn")
    add = lambda g, u, reason=None, a=None, dunder=False, source=S: E.add(
        "sklearn", g, u, source, reason, a, dunder)
    for name, c in sorted(all_estimators(), key=lambda t: qualname(t[1])):
        add(qualname(c), "construct",
            "estimator; BUILD runs BaseEstimator.__setstate__ (version check, __dict__ update) or "
            "the estimator's own state restore; __init__ is not run")
    # internal classes the probes saw being constructed inside fitted models
    for g in sorted(rec.uses):
        if g.startswith("sklearn.") and "construct" in rec.uses[g] and E.get(g) is None:
            add(g, "construct", "helper object stored in fitted models; BUILD updates __dict__ or "
                "runs the class's own state restore")
    from sklearn.gaussian_process import kernels
    for c in sorted([c for c in vars(kernels).values() if inspect.isclass(c)
                     and issubclass(c, kernels.Kernel) and not inspect.isabstract(c)], key=qualname):
        if E.get(qualname(c)) is None:
            add(qualname(c), "construct", "Gaussian-process kernel; BUILD updates __dict__")
    from sklearn.model_selection import _split
    for c in sorted([c for c in vars(_split).values() if inspect.isclass(c) and c.__module__ ==
                     _split.__name__ and not inspect.isabstract(c) and not c.__name__.startswith("_")
                     and hasattr(c, "split")], key=qualname):
        add(qualname(c), "construct", "cross-validation splitter (cv parameter); BUILD updates __dict__")
    from sklearn.metrics import _scorer
    for n in ("_PredictScorer", "_ProbaScorer", "_ThresholdScorer", "_PassthroughScorer",
              "_MultimetricScorer"):
        c = getattr(_scorer, n, None)
        if c is not None and E.get(qualname(c)) is None:
            add(qualname(c), "construct",
                "scorer object (refers to a metric function); BUILD updates __dict__")
    from sklearn.ensemble import _gb_losses
    for c in sorted([c for c in vars(_gb_losses).values() if inspect.isclass(c) and
                     issubclass(c, _gb_losses.LossFunction) and not inspect.isabstract(c)], key=qualname):
        if E.get(qualname(c)) is None:
            add(qualname(c), "construct", "gradient-boosting loss object; BUILD updates __dict__")
    from sklearn._loss import loss as L, link
    for c in sorted([c for c in vars(L).values() if inspect.isclass(c) and
                     issubclass(c, L.BaseLoss) and c is not L.BaseLoss], key=qualname):
        if E.get(qualname(c)) is None:
            add(qualname(c), "construct", "loss object of HistGradientBoosting; BUILD updates __dict__")
    for c in sorted([c for c in vars(link).values() if inspect.isclass(c) and c.__module__ ==
                     link.__name__ and not inspect.isabstract(c)], key=qualname):
        if E.get(qualname(c)) is None:
            add(qualname(c), "construct", "link-function object; BUILD updates __dict__")
    from sklearn.multiclass import _ConstantPredictor
    if E.get(qualname(_ConstantPredictor)) is None:
        add(qualname(_ConstantPredictor), "construct",
            "OneVsRest/OneVsOne stand-in for a constant class; BUILD updates __dict__")
    from sklearn.compose import make_column_selector
    if E.get(qualname(make_column_selector)) is None:
        add(qualname(make_column_selector), "construct",
            "column selector (regex/dtype filters only); BUILD updates __dict__")
    from sklearn.neural_network import _stochastic_optimizers as so
    for c in (so.SGDOptimizer, so.AdamOptimizer):
        if E.get(qualname(c)) is None:
            add(qualname(c), "construct", "MLP optimizer state; BUILD updates __dict__")
    from sklearn.utils import Bunch
    if E.get(qualname(Bunch)) is None:
        add(qualname(Bunch), "construct", "dict subclass; filled by SETITEMS, BUILD ignores state")
    # Cython helpers ---------------------------------------------------------------
    add("sklearn.tree._tree.Tree", "call",
        "Tree.__cinit__(n_features, n_classes, n_outputs) allocates the n_classes array; BUILD runs "
        "Tree.__setstate__, which checks the node array dtype/shape/contiguity and the value array "
        "shape before copying them (child indices are not validated: a crafted tree can make "
        "predict() read out of bounds, which is memory safety, not code execution)",
        args(3, a0=T("int"), a1=T("object"), a2=T("int")))
    from sklearn.linear_model import _sgd_fast
    for n, param in (("Hinge", "threshold"), ("SquaredHinge", "threshold"), ("Huber", "c"),
                     ("EpsilonInsensitive", "epsilon"), ("SquaredEpsilonInsensitive", "epsilon"),
                     ("ModifiedHuber", None), ("Log", None), ("SquaredLoss", None)):
        c = getattr(_sgd_fast, n)
        if param:
            add(qualname(c), "call",
                "SGD loss (Cython extension type): __reduce__ returns (cls, (%s,)) and __init__ "
                "only stores that float" % param, args([0, 1], a0=T("float", "int")))
        else:
            add(qualname(c), "call",
                "SGD loss (Cython extension type) without parameters: __reduce__ returns (cls, ()) "
                "and __init__ stores nothing", args(0))
    from sklearn.metrics import _dist_metrics as dm
    metrics = sorted(qualname(c) for c in vars(dm).values() if inspect.isclass(c) and
                     issubclass(c, dm.DistanceMetric) and c.__name__ not in
                     ("DistanceMetric", "PyFuncDistance") and not c.__name__.startswith("PyFunc"))
    for q in metrics:
        add(q, "construct",
            "distance metric (Cython); created by newObj, BUILD runs DistanceMetric.__setstate__ "
            "(p, vec, mat arrays)")
    add("sklearn.metrics._dist_metrics.newObj", "call",
        "newObj(cls) = cls.__new__(cls): creates an instance without __init__; cls is restricted "
        "to the built-in distance metrics (PyFuncDistance, which stores a user callable, is "
        "excluded)", args(1, a0=G(*metrics)))
    from sklearn.neighbors import _ball_tree, _kd_tree
    for mod, cls in ((_ball_tree, "BallTree"), (_kd_tree, "KDTree")):
        q = mod.__name__ + "." + cls
        add(q, "construct",
            "neighbors tree (Cython); created by newObj, BUILD runs BinaryTree.__setstate__ "
            "(arrays and a distance metric object)")
        add(mod.__name__ + ".newObj", "call",
            "newObj(cls) = cls.__new__(cls); cls restricted to %s" % cls, args(1, a0=G(q)))
    from sklearn._loss import _loss as cyl
    for n in sorted(dir(cyl)):
        if n.startswith("__pyx_unpickle_Cy"):
            cn = n[len("__pyx_unpickle_"):]
            q = "sklearn._loss._loss." + cn
            add(q, "construct", "Cython loss object of sklearn._loss; state is a tuple of numbers")
            add("sklearn._loss._loss." + n, "call",
                "Cython pickle helper: checks the layout checksum, creates %s.__new__(cls) (cls "
                "restricted to %s) and copies the typed fields from the state tuple" % (cn, cn),
                args(3, a0=G(q), a1=T("int"), a2=T("tuple", "none")), dunder=True)
    # references to functions stored in fitted models
    from sklearn import feature_selection as fs, cluster
    refs = [fs.f_classif, fs.f_regression, fs.chi2, fs.mutual_info_classif,
            fs.mutual_info_regression, fs.r_regression, cluster._kmeans._kmeans_single_lloyd,
            cluster._kmeans._kmeans_single_elkan, _scorer._passthrough_scorer]
    for f in refs:
        g = pickled_name(f)
        if E.get(g) is None:
            add(g, "reference", "function stored as a parameter/attribute (score function, "
                "k-means kernel); pure computation on arrays")
    for g in _sk_funcs_of_scorers():
        if E.get(g) is None:
            add(g, "reference", "metric function held by a scorer (GridSearchCV.scorer_); pure "
                "computation on arrays")
    # scipy objects inside sklearn models
    SS = source_of("scipy")
    for c in sorted({type(m) for m in (sp.csr_matrix((1, 1)), sp.csc_matrix((1, 1)),
                     sp.coo_matrix((1, 1)), sp.dia_matrix((1, 1)), sp.lil_matrix((1, 1)),
                     sp.bsr_matrix((1, 1)), sp.csr_array((1, 1)), sp.csc_array((1, 1)),
                     sp.coo_array((1, 1)), sp.dia_array((1, 1)), sp.lil_array((1, 1)),
                     sp.bsr_array((1, 1)))}, key=qualname):
        add(qualname(c), "construct", "scipy sparse matrix; BUILD updates __dict__ (arrays, shape)",
            source=SS)
    add(qualname(type(sp.dok_matrix((1, 1)))), "construct",
        "scipy DOK matrix (a dict subclass, rebuilt by copyreg._reconstructor with base dict); "
        "BUILD updates __dict__", source=SS)
    from scipy.interpolate import BSpline
    add(qualname(BSpline), "construct", "B-spline (SplineTransformer); BUILD updates __dict__",
        source=SS)
    import joblib.numpy_pickle as jnp
    add(qualname(jnp.NumpyArrayWrapper), "construct",
        "joblib array header: BUILD updates __dict__ (subclass, shape, order, dtype, alignment); "
        "joblib's own loader then reads the raw array that follows in the stream (object arrays "
        "are a nested pickle, scanned separately)", source=source_of("joblib"))


def build_pandas(E, rec):
    import pandas as pd
    S = source_of("pandas")
    add = lambda g, u, reason=None, a=None, dunder=False, source=S: E.add(
        "pandas", g, u, source, reason, a, dunder)
    import pandas.core.indexes.api as iapi
    index_classes = sorted({qualname(c) for c in vars(iapi).values() if inspect.isclass(c)
                            and issubclass(c, pd.Index)} |
                           {qualname(c) for c in (pd.Index, pd.RangeIndex, pd.CategoricalIndex,
                                                  pd.MultiIndex, pd.DatetimeIndex, pd.TimedeltaIndex,
                                                  pd.PeriodIndex, pd.IntervalIndex)})
    for q in index_classes:
        add(q, "reference", "pandas Index class, rebuilt by _new_Index")
    add("pandas.core.indexes.base._new_Index", "call",
        "_new_Index(cls, d): cls.__new__(cls, **d) (PeriodIndex via _new_PeriodIndex, MultiIndex "
        "with verify_integrity=False); it constructs its first argument, which is restricted to "
        "pandas' own Index classes; d is a literal dict of data/name/levels/codes",
        args(2, a0=G(*index_classes), a1=T("dict")))
    add("pandas.core.indexes.datetimes._new_DatetimeIndex", "call",
        "_new_DatetimeIndex(cls, d): DatetimeIndex._simple_new(DatetimeArray, **d) or "
        "cls.__new__(cls, **d); cls restricted to DatetimeIndex",
        args(2, a0=G("pandas.core.indexes.datetimes.DatetimeIndex"), a1=T("dict")))
    add("pandas.core.indexes.interval._new_IntervalIndex", "call",
        "_new_IntervalIndex(cls, d) = cls.from_arrays(**d); cls restricted to IntervalIndex",
        args(2, a0=G("pandas.core.indexes.interval.IntervalIndex"), a1=T("dict")))
    for c in (pd.DataFrame, pd.Series):
        add(qualname(c), "construct",
            "NDFrame; BUILD runs NDFrame.__setstate__: sets _mgr, attrs, Flags(**flags) and the "
            "other state items with object.__setattr__")
    from pandas.core.internals import managers
    add(qualname(managers.BlockManager), "call",
        "BlockManager(blocks, axes): Cython __cinit__ stores the tuple and a copy of the axes list, "
        "__init__ verifies block dimensions and shapes; BUILD runs BlockManager.__setstate__, which "
        "rebuilds blocks with new_block() from arrays and placements",
        args([0, 2], a0=T("tuple", "list"), a1=T("list")))
    add(qualname(managers.SingleBlockManager), "construct",
        "Series manager; BUILD runs SingleBlockManager.__setstate__ (new_block from array and "
        "placement)")
    add("pandas._libs.internals._unpickle_block", "call",
        "_unpickle_block(values, placement, ndim) = new_block(values, placement, ndim=ndim): "
        "BlockPlacement(placement), a dimension check, and a Block class chosen from values.dtype "
        "by pandas itself",
        args(3, a0=T("object"), a1=T("object", "tuple", "list"), a2=T("int")))
    from pandas.core import arrays as pa
    backed = sorted(qualname(c) for c in (pa.Categorical, pa.DatetimeArray, pa.TimedeltaArray,
                                          pa.PeriodArray, pa.PandasArray, pa.StringArray))
    for q in backed:
        add(q, "construct",
            "NDArrayBacked array; created by __pyx_unpickle_NDArrayBacked, BUILD runs "
            "NDArrayBacked.__setstate__ (stores the ndarray and dtype, setattr for the rest)")
    add("pandas._libs.arrays.__pyx_unpickle_NDArrayBacked", "call",
        "Cython pickle helper: checks the layout checksum and creates NDArrayBacked.__new__(cls) "
        "without __init__; cls restricted to pandas' NDArrayBacked arrays; state comes by BUILD",
        args(3, a0=G(*backed), a1=T("int"), a2=T("tuple", "none")), dunder=True)
    add(qualname(pa.IntervalArray), "construct",
        "interval array; created by __pyx_unpickle_IntervalMixin, BUILD updates __dict__")
    add("pandas._libs.interval.__pyx_unpickle_IntervalMixin", "call",
        "Cython pickle helper: IntervalMixin.__new__(cls) with cls restricted to IntervalArray; "
        "state comes by BUILD",
        args(3, a0=G(qualname(pa.IntervalArray)), a1=T("int"), a2=T("tuple", "none")), dunder=True)
    for c in (pa.IntegerArray, pa.FloatingArray, pa.BooleanArray, pa.SparseArray):
        add(qualname(c), "construct", "pandas extension array; BUILD updates __dict__/__setstate__")
    from pandas.core.arrays import integer, floating
    dt = [pd.CategoricalDtype, pd.DatetimeTZDtype, pd.IntervalDtype, pd.SparseDtype,
          pd.StringDtype, pd.BooleanDtype]
    dt += [c for c in vars(integer).values() if inspect.isclass(c) and c.__name__.endswith("Dtype")
           and c.__module__ == integer.__name__ and c.__name__ != "IntegerDtype"]
    dt += [c for c in vars(floating).values() if inspect.isclass(c) and c.__name__.endswith("Dtype")
           and c.__module__ == floating.__name__ and c.__name__ != "FloatingDtype"]
    for c in sorted(set(dt), key=qualname):
        add(qualname(c), "construct", "pandas dtype object; BUILD updates __dict__")
    add(qualname(pd.PeriodDtype), "call",
        "PeriodDtype(freq): freq is an offset object (or a frequency string, parsed by pandas)",
        args(1, a0=T("object", "str")))
    add("pandas._libs.tslibs.timestamps._unpickle_timestamp", "call",
        "_unpickle_timestamp(value, freq, tz, reso): Timestamp._from_value_and_reso(int, reso, tz) "
        "and _set_freq(freq); numbers and a tzinfo/offset object",
        args([3, 4], a0=T("int"), a1=T("object", "none"), a2=T("object", "none"), a3=T("int")))
    add("pandas._libs.tslibs.timedeltas._timedelta_unpickle", "call",
        "_timedelta_unpickle(value, reso): builds a Timedelta from two C integers",
        args(2, a0=T("int"), a1=T("int")))
    add("pandas._libs.tslibs.period.Period", "call",
        "Period(None, freq, ordinal): __new__ validates freq with to_offset and stores the integer "
        "ordinal",
        args([0, 3], a0=T("none", "str", "int"), a1=T("object", "str", "none"), a2=T("int", "none")))
    add("pandas._libs.interval.Interval", "call",
        "Interval(left, right, closed): __init__ accepts only numeric/Timestamp/Timedelta endpoints "
        "and a closed value from a fixed set",
        args([2, 3], a0=T("int", "float", "object"), a1=T("int", "float", "object"), a2=T("str")))
    add("pandas._libs.sparse.IntIndex", "call",
        "IntIndex(length, indices): stores the length and an int32 copy of the indices and checks "
        "their integrity", args([2, 3], a0=T("int"), a1=T("object"), a2=T("bool")))
    add("pandas._libs.sparse.BlockIndex", "call",
        "BlockIndex(length, blocs, blengths): stores int32 copies and checks their integrity",
        args(3, a0=T("int"), a1=T("object"), a2=T("object")))
    add("pandas._libs.missing.NA", "reference", "the pd.NA singleton")
    add("pandas._libs.tslibs.nattype.__nat_unpickle", "call",
        "__nat_unpickle(*args) ignores its arguments and returns the NaT constant",
        args([0, 1], a0=T("none", "object")), dunder=True)
    # offsets: reduce to cls(*attributes); __init__ validates numbers/bools/strings
    import pandas._libs.tslibs.offsets as off
    public = set(pd.tseries.offsets.__all__)
    done = set()
    for n in sorted(public):
        c = getattr(off, n, None)
        if not (inspect.isclass(c) and issubclass(c, off.BaseOffset)) or qualname(c) in done:
            continue
        q = qualname(c)
        done.add(q)
        sigs = rec.calls.get(q)
        if not sigs:
            if "construct" in rec.uses.get(q, ()):
                add(q, "construct", "date offset; BUILD runs BaseOffset.__setstate__ (n, normalize, "
                    "keyword attributes)")
            continue
        width = max(len(s) for s in sigs)
        pos = {}
        for i in range(width):
            ts = set()
            for s in sigs:
                if i < len(s):
                    ts.add(s[i][0])
            if "object" in ts or "tuple" in ts:
                ts |= {"none"}
            pos["a%d" % i] = T(*[t for t in TYPES if t in ts])
        add(q, "call",
            "date offset class: reduces to cls(*attributes); __init__ validates n as an integer and "
            "normalize as a bool and stores the remaining attributes (weekday/month numbers, "
            "variation strings, business-hour times, holiday tuples for numpy.busdaycalendar); the "
            "calendar argument is always None in pickles", args([0, width], **pos))
    # pytz / dateutil tz objects inside pandas data
    PZ = source_of("pytz")
    add("pytz._p", "call",
        "pytz._p(zone, utcoffset, dstoffset, tzname) = pytz.tzinfo.unpickler: pytz.timezone(zone) "
        "accepts only names in pytz.all_timezones_set (ASCII, no '..' or path separators) and reads "
        "that zone from the system tz database (/usr/share/zoneinfo); then picks the matching "
        "transition; no other file access", args([1, 4], a0=T("str"), a1=T("int", "none"),
                                                     a2=T("int", "none"), a3=T("str", "none")),
        source=PZ)
    add("pytz._UTC", "call", "pytz._UTC() returns the pytz.utc singleton", args(0), source=PZ)
    add("pytz.FixedOffset", "call",
        "pytz.FixedOffset(minutes): cached fixed-offset tzinfo; raises unless |minutes| < 1440",
        args(1, a0=T("int")), source=PZ)
    DU = source_of("dateutil")
    import dateutil.tz.tz as dtz
    add(qualname(dtz.tzfile), "call",
        "dateutil tzfile(fileobj, filename): with fileobj None nothing is opened or read, the "
        "filename is only stored; BUILD restores the parsed transitions (__dict__). A str fileobj "
        "would open that path, so the first argument must be None",
        args(2, a0=T("none"), a1=T("str")), source=DU)
    for c in (dtz.tzutc, dtz.tzoffset, dtz.tzlocal, dtz.tzstr, dtz._ttinfo, dtz.tzrange):
        add(qualname(c), "construct", "dateutil tzinfo value object; BUILD restores attributes",
            source=DU)
    import dateutil.relativedelta as rd
    import dateutil._common as dc
    add(qualname(rd.relativedelta), "construct",
        "dateutil relativedelta (DateOffset state); BUILD updates __dict__", source=DU)
    add(qualname(dc.weekday), "construct", "dateutil weekday value (relativedelta)", source=DU)


def build_xgboost(E):
    import xgboost as xgb
    S = source_of("xgboost")
    add = lambda g, u, reason=None, a=None: E.add("xgboost", g, u, S, reason, a)
    add("xgboost.core.Booster", "construct",
        "BUILD runs Booster.__setstate__: if state['handle'] is a bytearray it calls "
        "XGBoosterCreate and hands the buffer to the native XGBoosterUnserializeFromBuffer model "
        "parser (C++; a memory-safety surface, no Python code), then updates __dict__")
    for c in sorted([c for c in vars(xgb.sklearn).values() if inspect.isclass(c) and
                     issubclass(c, xgb.sklearn.XGBModel)], key=qualname):
        add(qualname(c), "construct",
            "scikit-learn wrapper; BUILD runs BaseEstimator.__setstate__ (__dict__ update); the "
            "model itself is the _Booster attribute")


# ---------------------------------------------------------------------------
# Deny list (peer scanners) -- transcribed from their sources; see "sources" in the output.

PICKLESCAN = {
    # mmaitre314/picklescan src/picklescan/scanner.py, _unsafe_globals
    "__builtin__": {"eval", "compile", "getattr", "apply", "exec", "open", "breakpoint"},
    "builtins": {"eval", "compile", "getattr", "apply", "exec", "open", "breakpoint"},
    "cloudpickle.cloudpickle": {"_builtin_type", "_make_function", "_function_setstate",
                                "_make_cell", "_make_empty_cell", "subimport"},
    "types": {"CodeType"},
    "aiohttp": "*", "asyncio": "*", "bdb": "*", "commands": "*", "ctypes": "*",
    "functools": {"partial"}, "httplib": "*", "logging": {"FileHandler"}, "_io": {"FileIO"},
    "numpy.f2py": "*", "numpy.testing._private.utils": "*", "nt": "*", "posix": "*",
    "_operator": {"attrgetter", "itemgetter", "methodcaller"},
    "operator": {"attrgetter", "itemgetter", "methodcaller"},
    "os": "*", "requests.api": "*", "runpy": "*", "shutil": "*", "socket": "*", "ssl": "*",
    "subprocess": "*", "sys": "*", "code": {"InteractiveInterpreter.runcode"}, "cProfile": "*",
    "distutils.file_util": "*", "doctest": {"debug_script"}, "ensurepip": {"_run_pip"},
    "idlelib.autocomplete": {"AutoComplete.get_entity", "AutoComplete.fetch_completions"},
    "idlelib.calltip": {"Calltip.fetch_tip", "get_entity"},
    "idlelib.debugobj": {"ObjectTreeItem.SetText"},
    "idlelib.pyshell": {"ModifiedInterpreter.runcode", "ModifiedInterpreter.runcommand"},
    "idlelib.run": {"Executive.runcode"}, "imaplib": {"IMAP4_stream"},
    "lib2to3.pgen2.grammar": {"Grammar.loads"}, "lib2to3.pgen2.pgen": {"ParserGenerator.make_label"},
    "pdb": "*", "pickle": "*", "_pickle": "*", "pip": "*", "pkgutil": {"resolve_name"}, "pty": "*",
    "profile": "*", "pydoc": "*", "test": "*", "timeit": "*",
    "torch._dynamo.guards": {"GuardBuilder.get"}, "torch._inductor.codecache": {"compile_file"},
    "torch.fx.experimental.symbolic_shapes": {"ShapeEnv.evaluate_guards_expression"},
    "torch.jit.unsupported_tensor_ops": {"execWrapper"}, "torch.serialization": {"load"},
    "torch.utils._config_module": {"ConfigModule.load_config"},
    "torch.utils.bottleneck.__main__": {"run_cprofile", "run_autograd_prof"},
    "torch.utils.collect_env": {"run"},
    "torch.utils.data.datapipes.utils.decoder": {"basichandlers"},
    "trace": {"Trace.run", "Trace.runctx"}, "urllib.request": "*", "uuid": "*", "venv": "*",
    "webbrowser": "*", "_osx_support": "*", "_aix_support": "*", "_pyrepl": "*",
}

MODELSCAN = {
    # protectai/modelscan modelscan/settings.py, DEFAULT_SETTINGS["unsafe_globals"]
    "__builtin__": {"eval", "compile", "getattr", "apply", "exec", "open", "breakpoint", "__import__"},
    "builtins": {"eval", "compile", "getattr", "apply", "exec", "open", "breakpoint", "__import__"},
    "runpy": "*", "os": "*", "nt": "*", "posix": "*", "socket": "*", "subprocess": "*", "sys": "*",
    "operator": {"attrgetter"}, "pty": "*", "pickle": "*",
    "webbrowser": "*", "httplib": "*", "requests.api": "*", "aiohttp.client": "*",
}

FICKLING = {
    # trailofbits/fickling. Pickled.unsafe_imports() in fickling/fickle.py @608c181 ...
    "__builtin__": "*", "__builtins__": "*", "builtins": "*", "os": "*", "posix": "*", "nt": "*",
    "subprocess": "*", "sys": "*", "socket": "*",
    # ... UnsafeImportsML.UNSAFE_MODULES / UNSAFE_IMPORTS in fickling/analysis.py (stored version) ...
    "shutil": "*", "urllib": "*", "urllib2": "*", "torch.hub": "*", "dill": "*", "code": "*",
    "torch": {"load"}, "numpy.testing._private.utils": {"runstring"},
    "operator": {"getitem", "attrgetter", "itemgetter", "methodcaller"},
    # ... and the UNSAFE_IMPORTS modules of fickling 0.1.12 as listed in pickle-threats.md §3.2
    # and in fickling PRs #186, #187, #210, #215, #217, #240 (the 0.1.12 fickle.py itself is not
    # in the source index):
    "pty": "*", "multiprocessing": "*", "codeop": "*", "runpy": "*", "marshal": "*", "types": "*",
    "importlib": "*", "pkgutil": "*", "zipimport": "*", "gc": "*", "site": "*", "unittest": "*",
    "inspect": "*", "test": "*", "_operator": "*", "functools": "*", "cProfile": "*",
    "profile": "*", "pdb": "*", "bdb": "*", "trace": "*", "timeit": "*", "doctest": "*",
    "ssl": "*", "http": "*", "httplib": "*", "requests": "*", "aiohttp": "*", "ftplib": "*",
    "smtplib": "*", "telnetlib": "*", "ctypes": "*", "_ctypes": "*", "pickle": "*", "_pickle": "*",
    "cloudpickle": "*", "joblib": "*", "tempfile": "*", "distutils": "*", "pydoc": "*",
    "pexpect": "*", "pipes": "*", "venv": "*", "ensurepip": "*", "pip": "*", "idlelib": "*",
    "lib2to3": "*", "socketserver": "*", "xmlrpc": "*", "signal": "*", "threading": "*",
    "atexit": "*", "sqlite3": "*", "fileinput": "*", "glob": "*", "platform": "*",
    "linecache": "*", "difflib": "*", "compileall": "*", "py_compile": "*", "mmap": "*",
    "select": "*", "selectors": "*", "logging": "*", "syslog": "*", "tarfile": "*",
    "zipfile": "*", "shelve": "*", "uuid": "*", "_osx_support": "*", "_aix_support": "*",
    "_interpreters": "*", "_xxsubinterpreters": "*", "asyncio": "*", "webbrowser": "*",
    "torch._dynamo": "*", "torch._inductor": "*", "torch.jit": "*", "numpy.f2py": "*",
    "numpy.distutils": "*",
    "torch.storage": {"_load_from_bytes"}, "io": {"FileIO", "open"}, "_io": {"FileIO"},
}

# pickle-threats.md §4.3 gadgets (B26-B32); module-wide where the whole module is a gadget.
GADGETS = {
    "pip": {"main"}, "pkgutil": {"resolve_name"}, "importlib": {"import_module"},
    "inspect": {"getattr_static"}, "pydoc": {"locate", "pipepager"}, "builtins": {"getattr"},
    "functools": {"partial"},
    "transformers.models.auto.auto_factory": {"getattribute_from_module"},
    "runpy": {"_run_code"}, "bdb": {"Bdb.run"}, "pdb": {"run"}, "timeit": {"timeit"},
    "cProfile": {"run", "runctx"}, "profile": {"run", "runctx", "Profile.run", "Profile.runctx"},
    "trace": {"Trace.run", "Trace.runctx"}, "code": {"InteractiveInterpreter.runcode"},
    "doctest": {"debug_script"}, "idlelib.calltip": {"get_entity"},
    "numpy.testing._private.utils": {"runstring"},
    "numpy.f2py.crackfortran": {"getlincoef", "_eval_length"}, "types": {"CodeType"},
    "pty": {"spawn"}, "uuid": {"_get_command_stdout"},
    "_osx_support": {"_read_output", "_find_build_tool"}, "_aix_support": {"_read_cmd_output"},
    "imaplib": {"IMAP4_stream"}, "_pyrepl.pager": {"pipe_pager"},
    "test.support.script_helper": {"assert_python_ok"}, "venv": {"create"},
    "asyncio.unix_events": {"_UnixSubprocessTransport._start"},
    "multiprocessing.util": {"spawnv_passfds"}, "mailcap": {"findmatch"},
    "shutil": {"copy", "move"}, "distutils.file_util": {"write_file"},
    "logging": {"FileHandler"}, "_io": {"FileIO"}, "urllib.request": {"urlopen"},
    "requests": {"get"}, "aiohttp": {"ClientSession"}, "socket": {"create_connection"},
    "ssl": {"get_server_certificate"}, "pandas.io.parsers.readers": {"read_csv"},
    "ctypes": {"CDLL"}, "torch.utils.collect_env": {"run", "run_and_read_all"},
    "torch.utils.bottleneck.__main__": {"run_cprofile", "run_autograd_prof"},
    "torch._dynamo.guards": {"GuardBuilder.get"},
    "torch.fx.experimental.symbolic_shapes": {"ShapeEnv.evaluate_guards_expression"},
    "torch.jit.unsupported_tensor_ops": {"execWrapper"},
    "torch._inductor.codecache": {"compile_file"},
    "torch.utils._config_module": {"ConfigModule.load_config"},
    "torch.utils.data.datapipes.utils.decoder": {"basichandlers"},
    "mlflow.projects.backend.local": {"_run_entry_point"}, "torch.distributed.rpc": "*",
    "pickle": {"loads"}, "_pickle": {"loads"}, "torch": {"load"}, "torch.serialization": {"load"},
    "joblib": {"load"}, "joblib.numpy_pickle": {"load"}, "numpy": {"load"},
    "numpy.lib.npyio": {"load"}, "pandas": {"read_pickle"}, "pandas.io.pickle": {"read_pickle"},
    "marshal": {"loads"}, "transformers": {"AutoTokenizer.from_pretrained"},
    "transformers.models.auto.tokenization_auto": {"AutoTokenizer.from_pretrained"},
    "torch.storage": {"_load_from_bytes"},
}

DENY_SOURCES = [
    {"tool": "picklescan", "repo": "mmaitre314/picklescan", "path": "src/picklescan/scanner.py",
     "commit": "05c3514d381c1d2233d697e7e77ccee368d2a834",
     "note": "_unsafe_globals; the list transcribed is the newest stored version (picklescan 1.0.5 "
             "era: adds cloudpickle, types.CodeType, logging.FileHandler, _io.FileIO, _operator, "
             "imaplib, pkgutil.resolve_name, test, urllib.request, uuid, _osx_support, _aix_support, "
             "_pyrepl, cProfile/profile wildcards) whose commit the index did not record; it is a "
             "superset of the version at this commit"},
    {"tool": "fickling", "repo": "trailofbits/fickling", "path": "fickling/fickle.py",
     "commit": "608c181d06300b09bc25c846d9ef974fda5cf8a9",
     "note": "Pickled.unsafe_imports() module set; the fickling 0.1.12 UNSAFE_IMPORTS frozenset "
             "is not in the source index, so its modules are transcribed from the project's "
             "research notes (reference/pickle-threats.md, section 3.2) and the descriptions of "
             "fickling pull requests #186, #187, #210, #215, #217 and #240"},
    {"tool": "fickling", "repo": "trailofbits/fickling", "path": "fickling/analysis.py",
     "note": "UnsafeImportsML.UNSAFE_MODULES and UNSAFE_IMPORTS (stored version, commit not "
             "recorded by the index)"},
    {"tool": "modelscan", "repo": "protectai/modelscan", "path": "modelscan/settings.py",
     "commit": "843ee5290e46e1fbef05efb8d9b03f3a12446a13",
     "note": "DEFAULT_SETTINGS['unsafe_globals'] CRITICAL and HIGH"},
    {"tool": "brine", "repo": "", "path": "reference/pickle-threats.md, section 4.3",
     "note": "bypass gadgets B26-B32 (project research notes) not covered by the lists above"},
]

# Allowed names that a peer list denies wholesale. Keep short; never a callable that can run code.
EXCEPTIONS = {
    "torch.storage._load_from_bytes": "a nested torch.load of bytes held in the file (how "
                                      "pickle.dumps writes tensors); allowed only when brine "
                                      "scans those bytes as a legacy torch stream and finds it "
                                      "safe (the entry's pickle constraint)",
    "builtins.set": "plain data type (fickling denies builtins wholesale); torch's weights_only "
                    "unpickler allows it; allowed only with a literal-sequence argument",
    "builtins.frozenset": "plain data type; allowed only with a literal-sequence argument",
    "builtins.bytearray": "plain data type (weights_only allows it); allowed only with bytes/str "
                          "arguments, never an integer size",
    "builtins.bytes": "plain data type; allowed only as bytes() with no argument (empty bytes "
                      "below protocol 3)",
    "builtins.complex": "plain number type (weights_only allows it); float arguments only",
    "builtins.slice": "plain value type; integer/None arguments only",
    "builtins.range": "plain lazy value type; integer arguments only",
    "builtins.object": "reference only: the base-class argument of copyreg._reconstructor",
    "builtins.list": "reference only (defaultdict factory, _reconstructor base)",
    "builtins.dict": "reference only (defaultdict factory, _reconstructor base)",
    "builtins.tuple": "reference only (defaultdict factory, _reconstructor base)",
    "builtins.int": "reference only (dtype parameter, defaultdict factory)",
    "builtins.float": "reference only (dtype parameter, defaultdict factory)",
    "builtins.str": "reference only (dtype parameter, defaultdict factory)",
    "builtins.bool": "reference only (dtype parameter)",
    "uuid.UUID": "value type (picklescan/fickling deny uuid wholesale because of "
                 "uuid._get_command_stdout); construct only, UUID.__setstate__ stores an integer",
    "joblib.numpy_pickle.NumpyArrayWrapper": "construct only: joblib's array header object "
                                             "(fickling denies joblib wholesale because joblib.load "
                                             "is a nested loader; joblib.load stays denied)",
    "numpy.random._pickle.__bit_generator_ctor": "numpy.random._pickle is numpy's RNG pickling "
        "helper module, not the stdlib _pickle (picklescan denies '_pickle', which matches the last "
        "component); instantiates one of five fixed bit-generator classes by name",
    "numpy.random._pickle.__generator_ctor": "numpy's RNG helper (see __bit_generator_ctor); its "
        "callable argument is restricted to __bit_generator_ctor",
    "numpy.random._pickle.__randomstate_ctor": "numpy's RNG helper (see __bit_generator_ctor); its "
        "callable argument is restricted to __bit_generator_ctor",
}


def _flatten(table):
    mods, names = set(), set()
    for m, v in table.items():
        if v == "*":
            mods.add(m)
        else:
            for n in v:
                names.add(m + "." + n)
    return mods, names


def build_denylist(E):
    mods, names = set(), set()
    for t in (PICKLESCAN, MODELSCAN, FICKLING):
        m, n = _flatten(t)
        mods |= m
        names |= n      # kept even inside a denied module: they name the known targets
    peers = {"modules": sorted(mods), "names": sorted(names)}
    gm, gn = _flatten(GADGETS)
    mods |= {m for m in gm if not deny_match(m, peers)}
    names |= {n for n in gn if not deny_match(n, peers)}
    exc = []
    for g in sorted(EXCEPTIONS):
        e = E.get(g)
        src = e["source"] if e else ""
        exc.append({"global": g, "reason": EXCEPTIONS[g], "source": src})
    return {"modules": sorted(mods), "names": sorted(names), "exceptions": exc,
            "sources": DENY_SOURCES}


# ---------------------------------------------------------------------------
# Output

def ordered_entry(e):
    out = {"global": e["global"], "use": e["use"]}
    if "args" in e:
        a = {"count": e["args"]["count"]}
        for k in sorted((k for k in e["args"] if k != "count"), key=int):
            a[k] = e["args"][k]
        out["args"] = a
    out["profile"] = e["profile"]
    if e.get("reason"):
        out["reason"] = e["reason"]
    out["source"] = e["source"]
    return out


def profile_doc(E, p):
    top = {"profile": p, "source": source_of({"stdlib": "python"}.get(p, p)),
           "entries": [ordered_entry(E.by_profile[p][g]) for g in sorted(E.by_profile[p])]}
    return top


def dump(obj):
    return json.dumps(obj, indent=2, ensure_ascii=True) + "\n"


def build_all(rec):
    E = Entries()
    build_stdlib(E)
    build_numpy(E)
    build_torch(E)
    build_sklearn(E, rec)
    build_pandas(E, rec)
    build_xgboost(E)
    return E


# ---------------------------------------------------------------------------
# Checks

def _dunder(comp):
    # as brine judges names: __x__ (a double underscore at both ends); Cython's
    # module-level __pyx_unpickle_* helpers and numpy's __*_ctor are ordinary
    return len(comp) > 4 and comp.startswith("__") and comp.endswith("__")


def resolve(glob):
    parts = glob.split(".")
    for i in range(len(parts) - 1, 0, -1):
        modname = ".".join(parts[:i])
        try:
            obj = importlib.import_module(modname)
        except Exception:
            continue
        try:
            for p in parts[i:]:
                obj = getattr(obj, p)
        except AttributeError:
            continue
        return obj, modname
    raise LookupError(glob)


def deny_match(glob, deny):
    parts = glob.split(".")
    mods, names = set(deny["modules"]), set(deny["names"])
    for i in range(len(parts)):
        for j in range(i + 1, len(parts) + 1):
            run = ".".join(parts[i:j])
            if run in mods or run in names:
                return run
    return None


def _check_constraint(c, where, errors):
    if isinstance(c, dict) and set(c) == {"type", "pickle"}:
        # bytes that must themselves scan safe as a pickle of that kind
        if c["type"] != ["bytes"] or c["pickle"] not in ("pickle", "torch-legacy"):
            errors.append("%s: bad nested-pickle constraint %r" % (where, c))
        return
    if not isinstance(c, dict) or len(c) != 1:
        errors.append("%s: a constraint must have exactly one form: %r" % (where, c))
        return
    (k, v), = c.items()
    if k == "type":
        if not v or any(t not in TYPES for t in v):
            errors.append("%s: bad type list %r" % (where, v))
    elif k == "value":
        if not v or any(not isinstance(s, str) for s in v):
            errors.append("%s: bad value list %r" % (where, v))
    elif k == "global":
        if not v or any(not isinstance(s, str) for s in v):
            errors.append("%s: bad global list %r" % (where, v))
    elif k == "allowed":
        if v not in USES:
            errors.append("%s: bad allowed use %r" % (where, v))
    else:
        errors.append("%s: unknown constraint form %r" % (where, k))


def check_docs(docs, deny, rec=None):
    """docs: {profile: parsed JSON}. Returns a list of errors."""
    errors = []
    entries = {}
    order_keys = ("global", "use", "args", "profile", "reason", "source")
    for p, doc in sorted(docs.items()):
        if set(doc) - {"profile", "source", "entries", "dunder_exceptions"}:
            errors.append("%s: unexpected top-level keys" % p)
        if doc.get("profile") != p:
            errors.append("%s: profile field is %r" % (p, doc.get("profile")))
        for key in ("entries", "dunder_exceptions"):
            lst = doc.get(key, [])
            gl = [e.get("global") for e in lst]
            if gl != sorted(gl):
                errors.append("%s.%s: not sorted by global" % (p, key))
            for e in lst:
                g = e.get("global")
                w = "%s:%s" % (p, g)
                if list(e) != [k for k in order_keys if k in e] or set(e) - set(order_keys):
                    errors.append("%s: unexpected keys/order %r" % (w, list(e)))
                if e.get("use") not in USES:
                    errors.append("%s: bad use %r" % (w, e.get("use")))
                if not isinstance(g, str) or "*" in g or "." not in g:
                    errors.append("%s: not a module.qualname" % w)
                    continue
                comps = g.split(".")
                if key == "entries" and any(_dunder(c) for c in comps):
                    errors.append("%s: dunder component in an ordinary entry" % w)
                if key == "dunder_exceptions":
                    if not _dunder(comps[-1]) or any(_dunder(c) for c in comps[:-1]) or \
                            comps[-1].endswith("__"):
                        errors.append("%s: dunder exception must be a module-level __name" % w)
                if not e.get("source"):
                    errors.append("%s: no source" % w)
                if e.get("profile") != p:
                    errors.append("%s: entry profile %r" % (w, e.get("profile")))
                if e.get("use") == "call" and not e.get("reason"):
                    errors.append("%s: call without reason" % w)
                if g in entries and entries[g] != e:
                    errors.append("%s: duplicate global with a different entry" % w)
                entries[g] = e
                try:
                    obj, modname = resolve(g)
                except LookupError:
                    errors.append("%s: does not resolve in the installed libraries" % w)
                    continue
                if isinstance(obj, types.ModuleType):
                    errors.append("%s: names a module" % w)
                if e.get("use") == "construct" and not _is_cls(obj):
                    errors.append("%s: construct entry is not a class" % w)
                if key == "dunder_exceptions" and modname != ".".join(comps[:-1]):
                    errors.append("%s: dunder exception is not a module attribute" % w)
                if e.get("use") in ("reference", "construct") and "args" in e:
                    errors.append("%s: args on a non-call entry" % w)
                a = e.get("args")
                if a is not None:
                    cnt = a.get("count")
                    if isinstance(cnt, int):
                        lo = hi = cnt
                    elif isinstance(cnt, list) and len(cnt) == 2 and all(isinstance(x, int) for x in cnt):
                        lo, hi = cnt
                    else:
                        errors.append("%s: bad count" % w)
                        lo, hi = 0, 99
                    if lo > hi or lo < 0:
                        errors.append("%s: bad count range" % w)
                    for k, c in a.items():
                        if k == "count":
                            continue
                        if not k.isdigit() or int(k) >= hi:
                            errors.append("%s: constraint key %r outside count" % (w, k))
                        _check_constraint(c, "%s arg %s" % (w, k), errors)
                d = deny_match(g, deny)
                if d and g not in {x["global"] for x in deny["exceptions"]}:
                    errors.append("%s: on the deny list (%s)" % (w, d))
    # constraint targets and self-callers
    for g, e in entries.items():
        for k, c in e.get("args", {}).items():
            if k == "count":
                continue
            for t in c.get("global", []):
                if t not in entries:
                    errors.append("%s arg %s: global %s is not in the allowlists" % (g, k, t))
    for g, idx in ARG_CALLERS.items():
        e = entries.get(g)
        if e is None:
            continue
        for i in idx:
            c = e.get("args", {}).get(str(i))
            if not c or not ({"allowed", "global"} & set(c)):
                errors.append("%s: argument %d is called/constructed and needs an allowed/global "
                              "constraint" % (g, i))
    # deny list sanity
    for x in deny["exceptions"]:
        g = x["global"]
        if g.split(".")[0] in NEVER_EXCEPT:
            errors.append("exception %s is in a module that may never be excepted" % g)
        if g not in entries:
            errors.append("exception %s is not an allowlist entry" % g)
        elif not deny_match(g, deny):
            errors.append("exception %s is not on the deny list (remove it)" % g)
        if not x.get("reason"):
            errors.append("exception %s has no reason" % g)
    for n in ("builtins.eval", "builtins.exec", "builtins.getattr", "os", "posix", "subprocess",
              "pickle", "_pickle", "operator.attrgetter", "functools.partial", "torch.load",
              "runpy", "pkgutil.resolve_name", "importlib", "marshal"):
        if not deny_match(n, deny):
            errors.append("deny list misses %s" % n)
    if rec is not None:
        errors += check_probes(entries, rec)
    return errors


def constraint_ok(c, item, entries):
    kind, val = item
    if "pickle" in c and kind == "object":
        return True  # protocol < 3 bytes: a _codecs.encode result, which brine folds to bytes
    if "type" in c:
        return kind in c["type"]
    if "value" in c:
        return kind == "str" and val in c["value"]
    if "global" in c:
        return kind == "global" and val in c["global"]
    if "allowed" in c:
        e = entries.get(val) if kind == "global" else None
        return e is not None and RANK[e["use"]] >= RANK[c["allowed"]]
    return False


def args_ok(a, sig, entries):
    if a is None:
        return True
    cnt = a["count"]
    lo, hi = (cnt, cnt) if isinstance(cnt, int) else cnt
    if not lo <= len(sig) <= hi:
        return False
    return all(constraint_ok(a[str(i)], it, entries) for i, it in enumerate(sig) if str(i) in a)


def check_probes(entries, rec):
    errors = []
    for g in sorted(rec.uses):
        need = max(rec.uses[g], key=lambda u: RANK[u])
        e = entries.get(g)
        if e is None or RANK[e["use"]] < RANK[need]:
            if g not in NOT_ALLOWED:
                errors.append("probe: %s used as %s but the allowlists %s" % (
                    g, need, "lack it" if e is None else "only allow " + e["use"]))
            continue
        if need == "call":
            for sig in sorted(rec.calls[g], key=repr):
                if any((g, i, it) in REJECTED_SIGS for i, it in enumerate(sig)):
                    continue
                if not args_ok(e.get("args"), sig, entries):
                    errors.append("probe: %s%r rejected by its own constraints" % (g, sig))
    for g in NOT_ALLOWED:
        if entries.get(g):
            errors.append("%s is listed in NOT_ALLOWED but has an entry" % g)
    return errors


def load_committed():
    docs = {}
    for p in PROFILES:
        with open(os.path.join(OUTDIR, p + ".json"), encoding="utf-8") as f:
            docs[p] = json.load(f, object_pairs_hook=_no_dup)
    with open(os.path.join(OUTDIR, "denylist.json"), encoding="utf-8") as f:
        deny = json.load(f, object_pairs_hook=_no_dup)
    return docs, deny


def _no_dup(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise ValueError("duplicate key %r" % k)
        d[k] = v
    return d


def print_report(rec, file=sys.stdout):
    for g in sorted(rec.uses):
        print(g, sorted(rec.uses[g], key=RANK.get), file=file)
        for sig in sorted(rec.calls.get(g, {}), key=repr):
            print("    ", sig, file=file)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="check the committed files only")
    ap.add_argument("--report", action="store_true", help="print the probe observations")
    ap.add_argument("--outdir", default=OUTDIR)
    opts = ap.parse_args()
    warnings.simplefilter("ignore")
    if opts.check:
        docs, deny = load_committed()
        errors = check_docs(docs, deny)
        for e in errors:
            print("ERROR:", e, file=sys.stderr)
        print("checked %d profiles, %d entries: %s" % (
            len(docs), sum(len(d["entries"]) + len(d.get("dunder_exceptions", []))
                           for d in docs.values()), "FAIL" if errors else "ok"))
        return 1 if errors else 0
    rec = run_probes()
    if opts.report:
        print_report(rec)
        return 0
    E = build_all(rec)
    docs = {p: profile_doc(E, p) for p in PROFILES}
    deny = build_denylist(E)
    # round-trip through JSON so that the checks see exactly what is written
    docs = {p: json.loads(dump(d)) for p, d in docs.items()}
    deny = json.loads(dump(deny))
    errors = check_docs(docs, deny, rec)
    for e in errors:
        print("ERROR:", e, file=sys.stderr)
    if errors:
        print("not written: %d errors" % len(errors), file=sys.stderr)
        return 1
    os.makedirs(opts.outdir, exist_ok=True)
    for p, d in docs.items():
        with open(os.path.join(opts.outdir, p + ".json"), "w", encoding="utf-8") as f:
            f.write(dump(d))
    with open(os.path.join(opts.outdir, "denylist.json"), "w", encoding="utf-8") as f:
        f.write(dump(deny))
    for p in PROFILES:
        c = collections.Counter(e["use"] for e in docs[p]["entries"])
        c.update("dunder:" + e["use"] for e in docs[p].get("dunder_exceptions", []))
        print("%-8s %4d entries  %s" % (p, sum(c.values()), dict(sorted(c.items()))))
    print("denylist: %d modules, %d names, %d exceptions" % (
        len(deny["modules"]), len(deny["names"]), len(deny["exceptions"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
