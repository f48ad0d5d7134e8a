# brine: plain Makefile. `make` builds build/brine, build/libbrine.a and
# build/libbrine.so; `make demo` and `make check` install what is missing
# first (scripts/deps). See README.md.

CC ?= cc
CLANG ?= clang
PKG_CONFIG ?= pkg-config
PREFIX ?= /usr/local
BUILD ?= build
ALLOWLIST_DIR ?= $(CURDIR)/allowlists

DEPS_PC := jansson zlib liblzma liblz4 libzstd libcrypto
# libarchive and libhdf5 are loaded with dlopen where they are needed (a
# tar or 7z met; the HDF5 reader's child process), not at every start
DLOPEN_PC := libarchive hdf5
DEP_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(DEPS_PC) $(DLOPEN_PC) 2>/dev/null)
DEP_LIBS = $(shell $(PKG_CONFIG) --libs $(DEPS_PC) 2>/dev/null)
soname = $(shell readelf -d $(1) 2>/dev/null | \
  sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
ARCHIVE_SO := $(call soname,$(shell $(PKG_CONFIG) --variable=libdir libarchive)/libarchive.so)
HDF5_LIBDIR := $(patsubst -L%,%,$(filter -L%,$(shell $(PKG_CONFIG) --libs-only-L hdf5 2>/dev/null)))
HDF5_SO := $(call soname,$(firstword $(HDF5_LIBDIR) $(shell $(PKG_CONFIG) --variable=libdir hdf5))/libhdf5.so)

WARN := -Wall -Wextra -Wconversion -Wshadow -Wvla -Wstrict-prototypes \
        -Wmissing-prototypes -Werror
CSTD := -std=c11 -D_GNU_SOURCE
OPT ?= -O2 -g
BASE_CFLAGS := $(CSTD) $(WARN) -Iinclude -fPIC
CFLAGS ?= $(OPT)
ALL_CFLAGS = $(BASE_CFLAGS) $(DEP_CFLAGS) $(CFLAGS)
LDLIBS := $(DEP_LIBS) -lbz2 -ldl -lm -lpthread

LIB_SRC := $(sort $(wildcard src/*/*.c))
CLI_SRC := $(sort $(wildcard cli/*.c))
ALLOWLISTS := $(sort $(wildcard $(ALLOWLIST_DIR)/*.json))

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)

.PHONY: all lib cli demo check test asan fuzz bench install clean deps \
        fixtures

all: $(BUILD)/brine $(BUILD)/libbrine.a $(BUILD)/libbrine.so

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

# the profiles, validated by brine's own loader and written as the image
# libbrine embeds (tools/al_compile.c, src/policy/image.c)
PROFILES := $(filter-out %/denylist.json,$(ALLOWLISTS))
$(BUILD)/al_compile: tools/al_compile.c $(filter-out %/embedded.o,$(LIB_OBJ))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Isrc -o $@ $^ $(LDLIBS)

$(BUILD)/gen/allowlists.img: $(BUILD)/al_compile $(ALLOWLISTS)
	@mkdir -p $(dir $@)
	$(BUILD)/al_compile $@ $(ALLOWLIST_DIR)/denylist.json $(PROFILES)

$(BUILD)/obj/src/formats/archive.o: ALL_CFLAGS += \
  -DBRINE_LIBARCHIVE_SONAME='"$(ARCHIVE_SO)"'
$(BUILD)/obj/src/formats/h5child.o: ALL_CFLAGS += \
  -DBRINE_HDF5_SONAME='"$(HDF5_SO)"'

$(BUILD)/obj/src/sign/trustroot_embedded.o: src/sign/trusted_root.production.json
$(BUILD)/obj/src/sign/trustroot_embedded.o: ALL_CFLAGS += \
  -DBRINE_PRODUCTION_ROOT='"$(CURDIR)/src/sign/trusted_root.production.json"'

$(BUILD)/obj/src/policy/embedded.o: $(BUILD)/gen/allowlists.img
$(BUILD)/obj/src/policy/embedded.o: ALL_CFLAGS += \
  -DBRINE_EMBEDDED_ALLOWLISTS='"$(abspath $(BUILD))/gen/allowlists.img"'

$(BUILD)/libbrine.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libbrine.so: $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libbrine.so.0 -o $@ $^ $(LDLIBS)

$(BUILD)/brine: $(CLI_OBJ) $(BUILD)/libbrine.a
	$(CC) $(CFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libbrine.a $(LDLIBS)

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)

deps:
	@scripts/deps

demo: deps
	@$(MAKE) --no-print-directory all
	@tests/run_demo.sh $(BUILD)/brine

# ---- tests ---------------------------------------------------------------
# `check` = build, unit tests (cmocka), CLI and data-driven tests, fuzz
# corpus replay; then the same again under ASan+UBSan (clang).
check: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory test BUILD=$(BUILD)
	@$(MAKE) --no-print-directory test BUILD=$(BUILD)/asan CC=$(CLANG) \
	  CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	  SANITIZE=1

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRC := $(sort $(wildcard fuzz/fuzz_*.c))
REPLAY_BIN := $(FUZZ_SRC:fuzz/%.c=$(BUILD)/replay/%)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libbrine.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Isrc -o $@ $< $(BUILD)/libbrine.a $(LDLIBS) -lcmocka

$(BUILD)/replay/%: fuzz/%.c fuzz/replay_main.c $(BUILD)/libbrine.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Isrc -o $@ $< fuzz/replay_main.c $(BUILD)/libbrine.a $(LDLIBS)

test: $(BUILD)/brine $(UNIT_BIN) $(REPLAY_BIN)
	@tests/run_all.sh $(BUILD)

# ---- fuzzing (libFuzzer) ------------------------------------------------
FUZZ_TIME ?= 60
$(BUILD)/fuzz/%: fuzz/%.c $(LIB_SRC) $(BUILD)/gen/allowlists.img
	@mkdir -p $(dir $@)
	$(CLANG) $(BASE_CFLAGS) $(DEP_CFLAGS) -Isrc -O1 -g \
	  -DBRINE_EMBEDDED_ALLOWLISTS='"$(abspath $(BUILD))/gen/allowlists.img"' \
	  -DBRINE_PRODUCTION_ROOT='"$(CURDIR)/src/sign/trusted_root.production.json"' \
	  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	  -o $@ $< $(LIB_SRC) $(LDLIBS)

fuzz: deps $(FUZZ_SRC:fuzz/%.c=$(BUILD)/fuzz/%)
	@for t in $(FUZZ_SRC:fuzz/%.c=%); do \
	  mkdir -p $(BUILD)/fuzz-corpus/$$t; \
	  echo "fuzzing $$t for $(FUZZ_TIME)s"; \
	  $(BUILD)/fuzz/$$t -max_total_time=$(FUZZ_TIME) \
	    -dict=fuzz/$$t.dict -artifact_prefix=$(BUILD)/fuzz-crash- \
	    $(BUILD)/fuzz-corpus/$$t fuzz/corpus/$$t || exit 1; \
	done

bench: all
	@bench/run.sh $(BUILD)/brine

fixtures:
	@scripts/deps --fixtures
	/usr/bin/python3 tools/gen_benign.py
	/usr/bin/python3 tools/gen_threats.py
	/usr/bin/python3 tools/gen_joblib.py
	/usr/bin/python3 tools/gen_examples.py
	/usr/bin/python3 tools/gen_formats.py
	/usr/bin/python3 tools/gen_zip_fixtures.py
	/usr/bin/python3 tools/gen_compress_fixtures.py
	/usr/bin/python3 tools/gen_tensor_fixtures.py
	/usr/bin/python3 tools/gen_proto_fixtures.py
	/usr/bin/python3 tools/gen_model_fixtures.py
	/usr/bin/python3 tools/gen_cosign_fixtures.py

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib \
	  $(DESTDIR)$(PREFIX)/include/brine $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BUILD)/brine $(DESTDIR)$(PREFIX)/bin/brine
	install -m 644 $(BUILD)/libbrine.a $(BUILD)/libbrine.so \
	  $(DESTDIR)$(PREFIX)/lib/
	install -m 644 include/brine/*.h $(DESTDIR)$(PREFIX)/include/brine/
	install -m 644 docs/man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	ln -sf libbrine.so $(DESTDIR)$(PREFIX)/lib/libbrine.so.0
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$${prefix}/lib' \
	  'includedir=$${prefix}/include' '' 'Name: brine' \
	  'Description: static scanning and signing of ML model artifacts' \
	  'Version: $(shell sed -n "s/^#define BRINE_VERSION \"\(.*\)\"/\1/p" include/brine/brine.h)' \
	  'Requires.private: $(DEPS_PC)' 'Cflags: -I$${includedir}' \
	  'Libs: -L$${libdir} -lbrine' 'Libs.private: -lbz2 -ldl -lm -lpthread' \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/brine.pc

clean:
	rm -rf $(BUILD)
