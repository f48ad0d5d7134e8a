/* Rule metadata (see rules.h). Descriptions are shown in SARIF and docs. */
#include "rules.h"

const struct brinei_rule_info brinei_rules[R_COUNT] = {
  [R_CALL] = { "PKL001", "call-not-allowed", BRINE_SEV_CRITICAL,
    BRINE_VERDICT_UNSAFE, "9.8",
    "Pickle calls a callable that is not allowed",
    "Loading the pickle calls a global (REDUCE, INST, OBJ) that no allowlist "
    "permits to be called with data from the file, or whose argument "
    "constraints do not hold. Loading it can run arbitrary code." },
  [R_DENIED] = { "PKL002", "denied-global", BRINE_SEV_CRITICAL,
    BRINE_VERDICT_UNSAFE, "9.8",
    "Pickle names a known-dangerous global",
    "The pickle imports a global on the deny list (command execution, code "
    "evaluation, file or network access, name resolvers) or one reached "
    "through a dunder attribute. Importing it is already a step of an "
    "attack." },
  [R_COMPUTED] = { "PKL003", "computed-reference", BRINE_SEV_CRITICAL,
    BRINE_VERDICT_UNSAFE, "9.8",
    "Pickle calls or imports something computed at load time",
    "A callable, a STACK_GLOBAL operand or a class is not a literal name but "
    "the result of an earlier call, a registry lookup or an attribute the "
    "pickle itself wrote. Nothing static can tell what it is." },
  [R_EXT] = { "PKL004", "extension-registry", BRINE_SEV_CRITICAL,
    BRINE_VERDICT_UNSAFE, "9.0",
    "Pickle uses the copyreg extension registry",
    "EXT1, EXT2 and EXT4 import whatever the loading process registered "
    "under a number; the file does not say what." },
  [R_BUILD] = { "PKL005", "build-not-allowed", BRINE_SEV_CRITICAL,
    BRINE_VERDICT_UNSAFE, "9.0",
    "Pickle sets state on an object that is not allowed",
    "BUILD runs the target's __setstate__ or writes its attributes. On a "
    "module, class or function it rewrites code the process trusts; on an "
    "instance of a class outside the allowlists it runs that class's code." },
  [R_CONTAINER] = { "PKL006", "container-method-call", BRINE_SEV_CRITICAL,
    BRINE_VERDICT_UNSAFE, "9.0",
    "Pickle calls a method through a container opcode",
    "APPEND, APPENDS, SETITEM, SETITEMS and ADDITEMS call append, extend, "
    "__setitem__ or add on anything that is not a plain list, dict or set." },
  [R_NESTED_UNSAFE] = { "PKL007", "nested-pickle-unsafe", BRINE_SEV_CRITICAL,
    BRINE_VERDICT_UNSAFE, "9.0",
    "Pickle carries another pickle that is unsafe",
    "A bytes or string literal holds a pickle (raw, base64 or hex) whose own "
    "scan is unsafe: a second-stage payload." },
  [R_FRAME] = { "PKL008", "frame-tampering", BRINE_SEV_CRITICAL,
    BRINE_VERDICT_UNSAFE, "8.8",
    "Pickle frames are inconsistent",
    "An opcode crosses the end of its FRAME, a FRAME opens inside another, "
    "or a FRAME claims more bytes than remain. Readers that honour frames "
    "and readers that do not see different programs." },
  [R_PERSID] = { "PKL009", "persistent-id", BRINE_SEV_WARNING,
    BRINE_VERDICT_UNKNOWN, "5.0",
    "Pickle depends on a persistent-load function",
    "PERSID and BINPERSID hand an id to the loader's persistent_load; what "
    "it does is defined by the application (PyTorch storages are checked "
    "inside PyTorch archives)." },
  [R_UNKNOWN_GLOBAL] = { "PKL010", "global-not-allowed", BRINE_SEV_WARNING,
    BRINE_VERDICT_UNKNOWN, "5.0",
    "Pickle references a global outside the allowlists",
    "A global is imported and stored but never invoked. Importing runs the "
    "module's top-level code; review it or allow it explicitly." },
  [R_UNKNOWN_CLASS] = { "PKL011", "class-not-allowed", BRINE_SEV_WARNING,
    BRINE_VERDICT_UNKNOWN, "5.0",
    "Pickle creates an instance of a class outside the allowlists",
    "A class outside the allowlists is instantiated without calling its "
    "__init__ (NEWOBJ, __reduce_ex__ protocol 2+). Review the class or "
    "allow it explicitly." },
  [R_TRAILING] = { "PKL012", "trailing-data", BRINE_SEV_WARNING,
    BRINE_VERDICT_SAFE, "3.0",
    "Bytes follow the last pickle stream",
    "Bytes after the last STOP are not a pickle. pickle.loads ignores them; "
    "a loader that calls load() again would read them." },
  [R_MALFORMED] = { "PKL013", "malformed", BRINE_SEV_ERROR,
    BRINE_VERDICT_ERROR, "5.0",
    "Pickle stream is malformed or truncated",
    "The unpickler would raise at this point. Everything before it would "
    "have run and has been judged; nothing after it was." },
  [R_LIMIT] = { "PKL014", "limit-reached", BRINE_SEV_ERROR,
    BRINE_VERDICT_ERROR, "5.0",
    "A scan limit was reached",
    "The input needs more work or memory than the limits in force allow; "
    "the scan is inconclusive." },
  [R_BUFFER] = { "PKL015", "out-of-band-buffer", BRINE_SEV_ERROR,
    BRINE_VERDICT_ERROR, "5.0",
    "Pickle needs out-of-band buffers",
    "NEXT_BUFFER and READONLY_BUFFER take data from outside the file "
    "(protocol 5); what it holds cannot be checked." },
  [R_NESTED_UNKNOWN] = { "PKL016", "nested-pickle", BRINE_SEV_WARNING,
    BRINE_VERDICT_UNKNOWN, "5.0",
    "Pickle carries another pickle with globals outside the allowlists",
    "A bytes or string literal holds a pickle whose own scan is unknown." },
  [R_IO] = { "BRN001", "unreadable", BRINE_SEV_ERROR,
    BRINE_VERDICT_ERROR, "5.0",
    "File could not be read",
    "brine could not read the file (permissions, I/O error, a limit)." },
  [R_SYMLINK] = { "BRN002", "symlink-not-followed", BRINE_SEV_INFO,
    BRINE_VERDICT_UNRECOGNIZED, "1.0",
    "Symbolic link not followed",
    "A symbolic link met while walking a directory is reported, never "
    "followed: it could lead out of the scanned tree. Scan its target by "
    "naming it." },
  [R_ZIP_NAME] = { "ZIP001", "zip-name-mismatch", BRINE_SEV_WARNING,
    BRINE_VERDICT_SAFE, "8.8",
    "ZIP local header names a different file than the central directory",
    "Python's zipfile refuses the member; PyTorch (miniz) reads it by its "
    "central-directory name. Scanners built on one and loaders built on the "
    "other see different archives. Critical when the member holds a "
    "pickle." },
  [R_ZIP_CRC] = { "ZIP002", "zip-crc-mismatch", BRINE_SEV_WARNING,
    BRINE_VERDICT_SAFE, "8.8",
    "ZIP member does not match its CRC-32",
    "The member was changed after the archive was written. zipfile raises "
    "on it; PyTorch never checks CRCs and loads it. Critical when the "
    "member holds a pickle." },
  [R_ZIP_FLAGS] = { "ZIP003", "zip-flag-bits", BRINE_SEV_WARNING,
    BRINE_VERDICT_SAFE, "8.8",
    "ZIP member sets flag bits loaders disagree on",
    "Encryption (bits 0 and 6) or patched data (bit 5) make zipfile refuse "
    "the member while PyTorch ignores the bits and loads the bytes. brine "
    "reads it as PyTorch does. Critical when the member holds a pickle." },
  [R_ZIP_HEADER] = { "ZIP004", "zip-header-mismatch", BRINE_SEV_WARNING,
    BRINE_VERDICT_SAFE, "8.8",
    "ZIP local header disagrees with the central directory",
    "Method, sizes, CRC or ZIP64 fields differ between a member's local "
    "header and its central-directory entry, so readers that trust one or "
    "the other extract different bytes. Critical when a pickle is "
    "involved." },
  [R_ZIP_OVERLAP] = { "ZIP005", "zip-overlap", BRINE_SEV_WARNING,
    BRINE_VERDICT_SAFE, "8.8",
    "ZIP entries overlap or repeat a name",
    "Two central-directory entries share bytes or a name; which one a "
    "loader uses depends on the loader. Critical when a pickle is "
    "involved." },
  [R_ZIP_HIDDEN] = { "ZIP006", "zip-hidden-bytes", BRINE_SEV_WARNING,
    BRINE_VERDICT_SAFE, "7.5",
    "ZIP archive holds bytes outside its entries",
    "Bytes before the first entry, between entries or between the central "
    "directory and its end record belong to no member. Critical when they "
    "hold a pickle." },
  [R_ZIP_UNLISTED] = { "ZIP007", "zip-unlisted-entry", BRINE_SEV_WARNING,
    BRINE_VERDICT_SAFE, "8.8",
    "ZIP local entry missing from the central directory",
    "A local header sits in the archive but the central directory does not "
    "list it: readers that walk local headers see a member others do not. "
    "Critical when it holds a pickle." },
  [R_ZIP_PATH] = { "ZIP008", "zip-unsafe-path", BRINE_SEV_WARNING,
    BRINE_VERDICT_SAFE, "7.5",
    "Archive member name escapes the extraction directory",
    "A member name is absolute, has a drive letter, a backslash or a .. "
    "component: extracting it writes outside the target directory. "
    "Critical when the member holds a pickle." },
  [R_FMT_MALFORMED] = { "FMT001", "malformed", BRINE_SEV_ERROR,
    BRINE_VERDICT_ERROR, "5.0",
    "File or member is malformed",
    "The bytes break the rules of their format (the message names the "
    "rule). Loaders would reject or misread them; nothing in them is "
    "trusted." },
  [R_FMT_BUDGET] = { "FMT002", "budget-exceeded", BRINE_SEV_ERROR,
    BRINE_VERDICT_ERROR, "5.0",
    "A container budget was exceeded",
    "Nesting depth, decompressed bytes, member count or a member's "
    "compression ratio went beyond its limit (container_depth, "
    "inflate_bytes, entries, ratio): a decompression bomb or a container "
    "too large to examine. The scan is inconclusive." },
  [R_FMT_UNSUPPORTED] = { "FMT003", "unreadable-member", BRINE_SEV_ERROR,
    BRINE_VERDICT_ERROR, "5.0",
    "A member cannot be read",
    "The member uses a compression method or encryption brine cannot "
    "decode, so its content was not examined." },
  [R_FMT_TRAILING] = { "FMT004", "trailing-bytes", BRINE_SEV_WARNING,
    BRINE_VERDICT_SAFE, "3.0",
    "Bytes follow the end of the format",
    "The format's own structure ends before the file does; the extra bytes "
    "can carry a second file (a polyglot). They were examined." },
  [R_FMT_CHILD] = { "FMT005", "isolated-reader-failed", BRINE_SEV_ERROR,
    BRINE_VERDICT_ERROR, "5.0",
    "The isolated reader failed",
    "A library that is not hardened against hostile input (libhdf5) runs in "
    "a child process with CPU, memory and time limits; it crashed or hit a "
    "limit on this file." },
  [R_TORCH_STORAGE] = { "TRC001", "storage-missing", BRINE_SEV_ERROR,
    BRINE_VERDICT_ERROR, "5.0",
    "PyTorch storage record is missing",
    "A persistent id in data.pkl names a storage whose data/<key> record is "
    "not in the archive; torch.load fails on it." },
  [R_TORCH_SIZE] = { "TRC002", "storage-size-mismatch", BRINE_SEV_CRITICAL,
    BRINE_VERDICT_UNSAFE, "8.1",
    "PyTorch storage does not hold what its tensors need",
    "A storage record is smaller than its element count times the element "
    "size, or a tensor's offset, sizes and strides reach beyond it. Loaders "
    "before torch 2.10 read out of bounds (CVE-2026-24747)." },
  [R_TORCH_LAYOUT] = { "TRC003", "archive-layout", BRINE_SEV_WARNING,
    BRINE_VERDICT_SAFE, "3.0",
    "PyTorch archive layout is unusual",
    "The version record torch writes is missing or is not a small "
    "number." },
  [R_KERAS_LAMBDA] = { "KRS001", "keras-lambda", BRINE_SEV_CRITICAL,
    BRINE_VERDICT_UNSAFE, "9.8",
    "Keras model carries Python code",
    "A Lambda or TFOpLambda layer, or a __lambda__ function, holds "
    "marshalled Python bytecode that runs when the model is loaded or "
    "called (CVE-2024-3660)." },
  [R_KERAS_MODULE] = { "KRS002", "keras-foreign-module", BRINE_SEV_CRITICAL,
    BRINE_VERDICT_UNSAFE, "9.8",
    "Keras config names an object outside Keras",
    "A layer, function or object is resolved from a module outside Keras, "
    "or names an API that changes how Keras loads (CVE-2025-1550, "
    "CVE-2025-9906). Loading imports and calls it." },
  [R_KERAS_CUSTOM] = { "KRS003", "keras-custom-object", BRINE_SEV_WARNING,
    BRINE_VERDICT_UNKNOWN, "5.0",
    "Keras config uses a custom object",
    "A registered custom class or function must be supplied by the loading "
    "program; review it." },
  [R_TF_OP] = { "TFS001", "savedmodel-dangerous-op", BRINE_SEV_CRITICAL,
    BRINE_VERDICT_UNSAFE, "9.0",
    "TensorFlow graph uses a dangerous op",
    "The graph or its function library calls Python (PyFunc, EagerPyFunc), "
    "reads or writes files (ReadFile, WriteFile, MatchingFiles) or loads a "
    "native library (LoadLibrary)." },
  [R_ONNX_PATH] = { "ONX001", "onnx-external-path", BRINE_SEV_CRITICAL,
    BRINE_VERDICT_UNSAFE, "8.6",
    "ONNX external data points outside the model",
    "An external-data location is absolute, has a .. component, leaves the "
    "model's directory or is ONNX Runtime's memory-address marker "
    "(CVE-2022-25882, CVE-2024-27318)." },
  [R_ONNX_PYOP] = { "ONX002", "onnx-python-op", BRINE_SEV_CRITICAL,
    BRINE_VERDICT_UNSAFE, "9.0",
    "ONNX model uses a Python-executing custom op",
    "PyOp and the ai.onnx.contrib domain run Python functions registered "
    "by the loading process." },
  [R_ONNX_DOMAIN] = { "ONX003", "onnx-custom-domain", BRINE_SEV_WARNING,
    BRINE_VERDICT_UNKNOWN, "5.0",
    "ONNX model uses a non-standard operator domain",
    "Ops of a custom domain come from a native library the runtime must "
    "load; review it." },
  [R_GGUF_TEMPLATE] = { "GGF001", "chat-template-injection",
    BRINE_SEV_CRITICAL, BRINE_VERDICT_UNSAFE, "9.0",
    "GGUF chat template reaches into Python objects",
    "The Jinja chat template uses dunder attributes, object-model "
    "globals or import/eval-like names; rendered by Python's jinja2 "
    "without a sandbox it runs code (CVE-2024-34359)." },
  [R_SKOPS_UNSAFE] = { "SKP001", "skops-unsafe-type", BRINE_SEV_CRITICAL,
    BRINE_VERDICT_UNSAFE, "9.0",
    "skops file names a dangerous function or type",
    "A node of schema.json loads a function, method or type on the deny "
    "list or calls one through a reduce-style node." },
  [R_SKOPS_UNTRUSTED] = { "SKP002", "skops-untrusted-type", BRINE_SEV_WARNING,
    BRINE_VERDICT_UNKNOWN, "5.0",
    "skops file uses a type outside the trusted set",
    "skops.io.load refuses it unless the caller trusts it; review it." },
};
