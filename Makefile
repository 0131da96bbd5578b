# Chain Rule Studio
#   make run         set up .venv if needed, then start the app (ARGS='...' passes options)
#   make test        set up .venv if needed, then run the whole test suite headless
#   make bench       run every tests/benchmarks/bench_*.py
#   make screenshot  regenerate the screenshots in resources/
#   make clean       remove .venv and caches
#
# Set-up happens once: system libraries are checked before .venv is created, and pip only runs
# again when pyproject.toml changes (stamp file .venv/.installed). PYTHON=python3.12 make ...
# picks another interpreter (>= 3.11).

PYTHON ?= python3
VENV   := .venv
VPY    := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help run test bench screenshot clean

help:
	@sed -n '1,/^$$/s/^#   //p' $(firstword $(MAKEFILE_LIST))

run: $(STAMP)
	$(VPY) main.py $(ARGS)

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(VPY) -m pytest

bench: $(STAMP)
	@set -e; for f in tests/benchmarks/bench_*.py; do \
	    echo "== $$f"; $(VPY) "$$f"; \
	done

# Offscreen on purpose: the same pixels on every machine (no HiDPI scaling, no window manager).
screenshot: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(VPY) main.py --lab network --steps 60 --screenshot resources/screenshot.png
	QT_QPA_PLATFORM=offscreen $(VPY) main.py --lab function --screenshot resources/screenshot-function-lab.png
	QT_QPA_PLATFORM=offscreen $(VPY) main.py --lab network --dataset circle --hidden 6,6 --steps 300 \
	    --screenshot resources/screenshot-circle.png
	QT_QPA_PLATFORM=offscreen $(VPY) main.py --lesson chain-rule --step 3 --screenshot resources/screenshot-lesson.png

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis *.egg-info

$(STAMP): pyproject.toml | $(VPY)
	$(VPY) -m pip install --disable-pip-version-check -e '.[test]'
	touch $@

$(VPY):
	@PYTHON='$(PYTHON)' VENV='$(VENV)' GOALS='$(MAKECMDGOALS)' bash -c "$$CHECK_SYSTEM_AND_CREATE_VENV"

# The system check is a bash script kept here, in the Makefile, because it has to run before
# any Python environment exists (so it cannot be Python code of the project, and a python3 older
# than 3.11 must still get a clear message), and the top-level layout has no place for tools.
# It is exported unexpanded (`$(value ...)`), so it is written as plain bash.
#
#  1. python3 exists and is >= 3.11, and can make a venv (Debian splits that into python3-venv);
#  2. the shared libraries PySide6 loads in every mode (incl. the headless tests) are present;
#  3. the ones Qt's X11 plugin needs (for `make run` on an X11 desktop) and desktop-file-validate
#     (for tests/test_desktop_entry.py) are present;
# Anything missing: as root with apt-get, install it (apt-get update + install); otherwise print
# the exact `sudo apt-get install ...` and stop if (1) or (2) is missing, warn if only (3) is.
define CHECK_SYSTEM_AND_CREATE_VENV
set -uo pipefail
required=()   # Debian packages without which nothing works
optional=()   # Debian packages for the X11 plugin and the desktop-entry test
need_venv=0

pyver=""
if command -v "$PYTHON" >/dev/null 2>&1; then
    pyver=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
fi
if [ -z "$pyver" ]; then
    if [ "$PYTHON" != python3 ]; then
        echo "error: $PYTHON cannot be run. Chain Rule Studio needs Python >= 3.11." >&2
        exit 1
    fi
    echo "python3 was not found."
    required+=(python3 python3-venv)
    need_venv=1
elif ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "error: Chain Rule Studio needs Python >= 3.11, but $PYTHON is Python $pyver." >&2
    echo "Install a newer Python and run e.g.: make PYTHON=python3.12 ${GOALS:-run}" >&2
    exit 1
elif ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    need_venv=1
    required+=(python3-venv)
fi

ldconfig_bin=$(command -v ldconfig || echo /sbin/ldconfig)
if libs=$("$ldconfig_bin" -p 2>/dev/null); then
    have_lib() { awk -v lib="$1" '$1 == lib { found = 1 } END { exit !found }' <<<"$libs"; }
    for pair in libEGL.so.1:libegl1 libGL.so.1:libgl1 libxkbcommon.so.0:libxkbcommon0 \
                libfontconfig.so.1:libfontconfig1 libglib-2.0.so.0:libglib2.0-0 \
                libdbus-1.so.3:libdbus-1-3 libX11.so.6:libx11-6; do
        have_lib "${pair%%:*}" || required+=("${pair##*:}")
    done
    for pair in libxcb-cursor.so.0:libxcb-cursor0 libxkbcommon-x11.so.0:libxkbcommon-x11-0 \
                libxcb-icccm.so.4:libxcb-icccm4 libxcb-image.so.0:libxcb-image0 \
                libxcb-keysyms.so.1:libxcb-keysyms1 libxcb-randr.so.0:libxcb-randr0 \
                libxcb-render-util.so.0:libxcb-render-util0 libxcb-shape.so.0:libxcb-shape0 \
                libxcb-xkb.so.1:libxcb-xkb1 libX11-xcb.so.1:libx11-xcb1; do
        have_lib "${pair%%:*}" || optional+=("${pair##*:}")
    done
else
    echo "note: ldconfig is not available; not checking the shared libraries Qt needs."
fi
command -v desktop-file-validate >/dev/null 2>&1 || optional+=(desktop-file-utils)

if (( ${#required[@]} + ${#optional[@]} )); then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "Installing system packages: ${required[*]} ${optional[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q || exit 1
        if (( need_venv )) && command -v "$PYTHON" >/dev/null 2>&1; then
            # a distro Python 3.X gets its venv module from python3.X-venv
            ver=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
            if apt-cache show "python$ver-venv" >/dev/null 2>&1; then
                required=("${required[@]/python3-venv/python$ver-venv}")
            fi
        fi
        apt-get install -y -q --no-install-recommends "${required[@]}" "${optional[@]}" || exit 1
        if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
            echo "error: Chain Rule Studio needs Python >= 3.11; $PYTHON is $("$PYTHON" -V 2>&1)." >&2
            exit 1
        fi
    elif (( ${#required[@]} )); then
        echo "error: system packages are missing. Install them, then run make again:" >&2
        echo "    sudo apt-get install ${required[*]} ${optional[*]}" >&2
        exit 1
    else
        echo "note: optional system packages are missing (Qt's X11 plugin for 'make run' on X11," >&2
        echo "      desktop-file-validate for one test). To install them:" >&2
        echo "    sudo apt-get install ${optional[*]}" >&2
    fi
fi

echo "Creating $VENV with $(command -v "$PYTHON") ($("$PYTHON" -V 2>&1))"
if ! "$PYTHON" -m venv "$VENV"; then
    rm -rf "$VENV"
    echo "error: '$PYTHON -m venv' failed. On Debian/Ubuntu: sudo apt-get install python3-venv" >&2
    echo "(for a Python other than the system's default: pythonX.Y-venv)" >&2
    exit 1
fi
endef
export CHECK_SYSTEM_AND_CREATE_VENV := $(value CHECK_SYSTEM_AND_CREATE_VENV)
