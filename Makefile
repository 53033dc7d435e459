# pinn: a physics-informed neural network solver in C.
#   make              the pinn binary and libpinnloss (.a, .so)
#   make check        every Check suite in tests/   (SANITIZE=1: ASan + UBSan)
#   make run          pinn run configs/heat1d.cfg -> outputs/heat1d.h5 (+ .xmf), then its plots
#   make bench        benchmarks in bench/ (not tests)
#   make fuzz         libFuzzer on the config loader and expressions (SECONDS=60 each)
#   make valgrind     a short heat1d run under valgrind: no errors, no leaks
#   make install PREFIX=/usr/local, make clean
#   make mpi          build/pinn-mpi, data-parallel training over Open MPI
#                     (docs/mpi.md); `make` builds it too when Open MPI's
#                     ompi-c pkg-config file is there. The plain pinn never
#                     links MPI.
# Every target installs missing Debian packages first (scripts/install-deps).
# Library flags come from pkg-config, expanded only when a recipe runs, i.e.
# after the packages are there. PLplot draws `pinn plot`; libpng and libxml2
# are for the tests only (decoding the PNGs, parsing the XDMF sidecars).

PREFIX  ?= /usr/local
VERSION  = 0.1.0
CC      ?= cc

ifeq ($(SANITIZE),1)
B        = build-san
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
B        = build
SANFLAGS =
endif

# hdf5-serial when it exists: installing libhdf5-mpi-dev turns the hdf5.pc
# alternative to the MPI build, which would link libmpi into the plain pinn.
HDF5_PC   = $(shell pkg-config --exists hdf5-serial 2>/dev/null && echo hdf5-serial || echo hdf5)
PKGS      = gsl openblas libconfig libmatheval liblbfgs $(HDF5_PC) fftw3 libxsmm sleef plplot
# SuiteSparse (KLU) and SUNDIALS (IDA) ship no .pc files in Debian 12.
REF_LIBS  = -lsundials_ida -lsundials_sunlinsolklu -lsundials_sunmatrixsparse \
            -lsundials_nvecserial -lklu
WARN      = -Wall -Wextra -Wpedantic
CFLAGS   ?= -O2 -g
ALLCFLAGS = -std=c11 $(WARN) -fopenmp -fPIC $(SANFLAGS) $(CFLAGS)
CPPFLAGS += -D_POSIX_C_SOURCE=200809L -DPINN_VERSION='"$(VERSION)"' -Inets -Ilosses -Isolver -I/usr/include/suitesparse
# nets/: libxsmm's JIT small products and SLEEF's vector sin/cos (docs/performance.md)
CPPFLAGS += -DPINN_HAVE_LIBXSMM -DPINN_HAVE_SLEEF
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
# GSL's .pc names gslcblas; OpenBLAS provides CBLAS instead.
PKG_LIBS   = -lhdf5_hl $(REF_LIBS) $(filter-out -lgslcblas,$(shell pkg-config --libs $(PKGS))) -lm
CHECK_CFLAGS = $(shell pkg-config --cflags check libpng libxml-2.0)
CHECK_LIBS   = $(shell pkg-config --libs check libpng libxml-2.0)
LDFLAGS  += -fopenmp $(SANFLAGS)

NETS_SRC   = $(wildcard nets/*.c)
LOSS_SRC   = $(wildcard losses/*.c)
SOLVER_SRC = $(filter-out solver/main.c,$(wildcard solver/*.c solver/*/*.c))
TEST_SRC   = $(wildcard tests/test_*.c)
BENCH_SRC  = $(wildcard bench/bench_*.c)

NETS_OBJ   = $(NETS_SRC:%.c=$(B)/%.o)
# -std=c11 turns off a * b + c -> fma contraction; nets/ wants it (the AVX2 and
# AVX-512 paths: tanh kernel 4.6 -> 3.1 ns per value, docs/performance.md)
$(NETS_OBJ): ALLCFLAGS += -ffp-contract=fast
LOSS_OBJ   = $(LOSS_SRC:%.c=$(B)/%.o)
SOLVER_OBJ = $(SOLVER_SRC:%.c=$(B)/%.o)
TESTS      = $(TEST_SRC:%.c=$(B)/%)
BENCHES    = $(BENCH_SRC:%.c=$(B)/%)

LIBPINNLOSS_A  = $(B)/libpinnloss.a
LIBPINNLOSS_SO = $(B)/libpinnloss.so
PINN_BIN   = $(B)/pinn
CORE_LIBS  = $(SOLVER_OBJ) $(NETS_OBJ) $(LIBPINNLOSS_A)

.PHONY: all deps check run bench install uninstall clean fuzz fuzz-deps valgrind mpi mpi-auto
.SECONDARY:
.DEFAULT_GOAL := all

all: $(PINN_BIN) $(LIBPINNLOSS_A) $(LIBPINNLOSS_SO) $(B)/pinnloss.pc mpi-auto
ifneq ($(SANITIZE),1)
	@ln -sf $(PINN_BIN) pinn
endif

deps:
	@scripts/install-deps

$(B)/%.o: %.c | deps
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(ALLCFLAGS) -MMD -MP -c $< -o $@

$(B)/tests/%.o: tests/%.c | deps
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CHECK_CFLAGS) $(ALLCFLAGS) -MMD -MP -c $< -o $@

$(LIBPINNLOSS_A): $(LOSS_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(LIBPINNLOSS_SO): $(LOSS_OBJ)
	$(CC) -shared -Wl,-soname,libpinnloss.so.0 $(LDFLAGS) -o $@ $^ -lm

$(B)/pinnloss.pc: losses/pinnloss.pc.in Makefile
	@mkdir -p $(@D)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' $< > $@

$(PINN_BIN): $(B)/solver/main.o $(CORE_LIBS)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/tests/%: $(B)/tests/%.o $(CORE_LIBS)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CHECK_LIBS)

$(B)/bench/%: $(B)/bench/%.o $(CORE_LIBS)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# pinn-mpi: the same objects but parallel.c compiled with PINN_MPI against
# Open MPI (pkg-config ompi-c), linked with libmpi. mpi-auto builds it when
# Open MPI is installed (scripts/install-deps installs it as root) and says so
# when it is not.
MPI_PC       = ompi-c
PINN_MPI_BIN = $(B)/pinn-mpi
MPI_OBJ      = $(B)/mpi/solver/train/parallel.o

$(MPI_OBJ): solver/train/parallel.c | deps
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -DPINN_MPI $(PKG_CFLAGS) $(shell pkg-config --cflags $(MPI_PC)) $(ALLCFLAGS) -MMD -MP -c $< -o $@

$(PINN_MPI_BIN): $(B)/solver/main.o $(filter-out $(B)/solver/train/parallel.o,$(SOLVER_OBJ)) $(MPI_OBJ) $(NETS_OBJ) $(LIBPINNLOSS_A)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(shell pkg-config --libs $(MPI_PC))

mpi: $(PINN_MPI_BIN)

mpi-auto: $(PINN_BIN)
	@if pkg-config --exists $(MPI_PC) 2>/dev/null; then $(MAKE) --no-print-directory mpi; \
	else echo "make: Open MPI not found (pkg-config $(MPI_PC)): $(PINN_MPI_BIN) not built, MPI tests skip"; fi

check: all $(TESTS)
	@PINN=$(PINN_BIN) PINN_MPI=$(PINN_MPI_BIN) BUILD=$(B) SANITIZE=$(SANITIZE) tests/run-all $(TESTS)

run: all
	$(PINN_BIN) run configs/heat1d.cfg -o outputs/heat1d.h5
	@$(PINN_BIN) plot outputs/heat1d.h5 -o outputs/heat1d-plots > /dev/null
	@echo "run: plots in outputs/heat1d-plots/ (PNG); ParaView: open outputs/heat1d.xmf"

bench: all $(BENCHES)
	@PINN=$(PINN_BIN) PINN_MPI=$(PINN_MPI_BIN) BUILD=$(B) bench/run-all $(BENCHES)

# Fuzzing: clang + libFuzzer, own build dir, no OpenMP. New corpus entries
# go to $(FUZZ_B)/corpus-*, crashes to $(FUZZ_B)/crashes/; the kept corpus is
# tests/fuzz/corpus-* (replayed by tests/test_fuzz_replay.c in make check).
FUZZ_B       = build-fuzz
FUZZ_TARGETS = config expr
FUZZ_CFLAGS  = -std=c11 -g -O1 $(WARN) -Wno-unknown-pragmas -Wno-source-uses-openmp \
               -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_OBJ     = $(patsubst %.c,$(FUZZ_B)/%.o,$(SOLVER_SRC) $(NETS_SRC) $(LOSS_SRC))
SECONDS     ?= 60

fuzz-deps: deps
	@tests/fuzz/install-deps

$(FUZZ_B)/%.o: %.c | fuzz-deps
	@mkdir -p $(@D)
	clang $(CPPFLAGS) $(PKG_CFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_B)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJ) | fuzz-deps
	clang $(CPPFLAGS) $(PKG_CFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer -MMD -MP -o $@ $< $(FUZZ_OBJ) $(PKG_LIBS)

# libconfig leaks a token on many syntax errors (suppressed, tests/lsan.supp),
# and every such leak makes libFuzzer run a full leak scan: 12x slower. So the
# config target fuzzes with leak checks off, then replays its whole corpus
# with them on (-runs=0 executes every input once).
FUZZ_LEAKS_config = 0
FUZZ_LEAKS_expr   = 1

fuzz: $(FUZZ_TARGETS:%=$(FUZZ_B)/fuzz_%)
	@mkdir -p $(FUZZ_B)/crashes
	@for t in $(FUZZ_TARGETS); do mkdir -p $(FUZZ_B)/corpus-$$t; \
	    leaks=$(FUZZ_LEAKS_config); [ $$t = expr ] && leaks=$(FUZZ_LEAKS_expr); \
	    echo "fuzz: $$t for $(SECONDS) s (leak checks: $$leaks)"; \
	    $(FUZZ_B)/fuzz_$$t -max_total_time=$(SECONDS) -max_len=4096 -timeout=10 -detect_leaks=$$leaks \
	        -print_final_stats=1 -artifact_prefix=$(FUZZ_B)/crashes/$$t- \
	        $(FUZZ_B)/corpus-$$t tests/fuzz/corpus-$$t 2>$(FUZZ_B)/$$t.log || { tail -50 $(FUZZ_B)/$$t.log; exit 1; }; \
	    grep -E '^Done|stat::(number_of_executed_units|new_units_added)' $(FUZZ_B)/$$t.log; \
	    $(FUZZ_B)/fuzz_$$t -runs=0 -detect_leaks=1 -artifact_prefix=$(FUZZ_B)/crashes/$$t- \
	        $(FUZZ_B)/corpus-$$t tests/fuzz/corpus-$$t tests/fuzz/crashers 2>$(FUZZ_B)/$$t-replay.log \
	        || { tail -50 $(FUZZ_B)/$$t-replay.log; exit 1; }; \
	    echo "fuzz: $$t corpus replayed with leak checks: clean"; \
	done

# One short heat1d run under valgrind, then bad configs that fail at
# different stages (setup, terms, data, exact, output path, memory estimate;
# exit 2 expected). Fails on any memory error and on definite or indirect
# leaks; "possibly lost" (libgomp/OpenBLAS thread stacks) and "still
# reachable" are tolerated.
VALGRIND     = valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=1
VALGRIND_BAD = $(foreach n,25 28 29 30 34 42 47 52 53,$(wildcard tests/bad-configs/$(n)-*.cfg))

valgrind: all
	@mkdir -p $(B)/valgrind
	$(VALGRIND) --log-file=$(B)/valgrind/heat1d.log $(PINN_BIN) run configs/heat1d.cfg --quiet \
	    -o $(B)/valgrind/heat1d.h5 --set train.adam.iterations=20 --set train.lbfgs.iterations=5 \
	    --set points.interior=200 --set reference.nx=64 --set reference.nt=64 \
	    || { cat $(B)/valgrind/heat1d.log; exit 1; }
	@grep -E 'ERROR SUMMARY|(definitely|indirectly|possibly) lost:' $(B)/valgrind/heat1d.log
	@grep -q 'ERROR SUMMARY: 0 errors' $(B)/valgrind/heat1d.log
	@! grep -E '(definitely|indirectly) lost: [1-9]' $(B)/valgrind/heat1d.log
	@for f in $(VALGRIND_BAD); do \
	    $(VALGRIND) --log-file=$(B)/valgrind/bad.log $(PINN_BIN) run $$f -o $(B)/valgrind/bad.h5 2>/dev/null; \
	    rc=$$?; [ $$rc -eq 2 ] || { echo "valgrind: $$f: exit $$rc, want 2"; cat $(B)/valgrind/bad.log; exit 1; }; \
	done
	@echo "valgrind: no errors, no definite or indirect leaks (heat1d + $(words $(VALGRIND_BAD)) bad configs)"

# install writes pinnloss.pc afresh: $(B)/pinnloss.pc holds the last build's PREFIX.
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include \
	    $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(PINN_BIN) $(DESTDIR)$(PREFIX)/bin/pinn
	if [ -x $(PINN_MPI_BIN) ]; then install -m 755 $(PINN_MPI_BIN) $(DESTDIR)$(PREFIX)/bin/pinn-mpi; fi
	install -m 644 docs/pinn.1 $(DESTDIR)$(PREFIX)/share/man/man1/pinn.1
	install -m 644 $(LIBPINNLOSS_A) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(LIBPINNLOSS_SO) $(DESTDIR)$(PREFIX)/lib/libpinnloss.so.0
	ln -sf libpinnloss.so.0 $(DESTDIR)$(PREFIX)/lib/libpinnloss.so
	install -m 644 losses/pinnloss*.h $(DESTDIR)$(PREFIX)/include/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' losses/pinnloss.pc.in \
	    > $(DESTDIR)$(PREFIX)/lib/pkgconfig/pinnloss.pc

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/pinn $(DESTDIR)$(PREFIX)/bin/pinn-mpi $(DESTDIR)$(PREFIX)/share/man/man1/pinn.1 \
	    $(DESTDIR)$(PREFIX)/lib/libpinnloss.* \
	    $(DESTDIR)$(PREFIX)/include/pinnloss*.h $(DESTDIR)$(PREFIX)/lib/pkgconfig/pinnloss.pc

clean:
	rm -rf build build-san build-fuzz pinn

-include $(shell find $(B) $(FUZZ_B) -name '*.d' 2>/dev/null)
