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
};
