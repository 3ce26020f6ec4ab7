"""The faces a printed form is set in: Noto Sans CJK SC cut down, once per machine, to the characters
forms are written in.

Debian's Noto Sans CJK holds 65,535 glyphs in a 19 MB collection per weight. For every PDF WeasyPrint
copies the whole collection into Python and cuts the glyphs it used out of it twice; on the full font
that was about half of a one-page form's time. Here each weight is cut once to GB 2312 (every
character in it: the 6,763 common hanzi, punctuation, kana, Greek and Cyrillic), Latin, and the
symbols forms use: about 14,000 glyphs with what the font's layout rules reach, 3.4 MB, in 0.3 s.
A character outside it (a rare name such as 堃 or 喆) is set in the full font, which the template
names next.

If the cut cannot be made (no HarfBuzz subsetter) the form is set in the full font, as before, and the
log says why once. Without Noto Sans CJK SC there is nothing to print Chinese in: the log says so as an
error, and ``manage.py check`` warns (forms_toolkit.W001).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import tempfile
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

FAMILY = "Print Sans SC"
SOURCE_FAMILY = "Noto Sans CJK SC"
WEIGHTS = {"normal": "regular", "bold": "bold"}  # CSS font-weight: fontconfig weight

# Besides GB 2312: Latin with its accents, and the punctuation, symbols and full-width forms forms use.
RANGES = (
    (0x0020, 0x007E),
    (0x00A0, 0x024F),
    (0x2000, 0x206F),
    (0x20A0, 0x20CF),
    (0x2100, 0x22FF),
    (0x2460, 0x24FF),
    (0x2500, 0x25FF),
    (0x3000, 0x303F),
    (0xFF00, 0xFFEF),
)
# Changing what is kept changes the files' names, so a machine cuts them again.
CUT = "gb2312+latin+symbols/1"

_CDEF = """
typedef struct hb_blob_t hb_blob_t;
typedef struct hb_face_t hb_face_t;
typedef struct hb_set_t hb_set_t;
typedef struct hb_subset_input_t hb_subset_input_t;
typedef uint32_t hb_codepoint_t;
hb_blob_t *hb_blob_create_from_file_or_fail (const char *file_name);
void hb_blob_destroy (hb_blob_t *blob);
const char *hb_blob_get_data (hb_blob_t *blob, unsigned int *length);
hb_face_t *hb_face_create (hb_blob_t *blob, unsigned int index);
hb_blob_t *hb_face_reference_blob (hb_face_t *face);
void hb_face_destroy (hb_face_t *face);
void hb_set_add_range (hb_set_t *set, hb_codepoint_t first, hb_codepoint_t last);
hb_subset_input_t *hb_subset_input_create_or_fail (void);
void hb_subset_input_destroy (hb_subset_input_t *input);
hb_set_t *hb_subset_input_unicode_set (hb_subset_input_t *input);
hb_face_t *hb_subset_or_fail (hb_face_t *source, const hb_subset_input_t *input);

typedef struct _FcPattern FcPattern;
typedef struct _FcConfig FcConfig;
typedef unsigned char FcChar8;
typedef int FcBool;
typedef enum { FcResultMatch, FcResultNoMatch, FcResultTypeMismatch, FcResultNoId, FcResultOutOfMemory } FcResult;
typedef enum { FcMatchPattern, FcMatchFont, FcMatchScan } FcMatchKind;
FcPattern *FcNameParse (const FcChar8 *name);
FcBool FcConfigSubstitute (FcConfig *config, FcPattern *p, FcMatchKind kind);
void FcDefaultSubstitute (FcPattern *pattern);
FcPattern *FcFontMatch (FcConfig *config, FcPattern *p, FcResult *result);
FcResult FcPatternGetString (const FcPattern *p, const char *object, int n, FcChar8 **s);
FcResult FcPatternGetInteger (const FcPattern *p, const char *object, int n, int *i);
void FcPatternDestroy (FcPattern *p);
"""


class Unavailable(Exception):
    """The cut cannot be made on this machine."""


@functools.cache
def _ffi():
    import cffi  # WeasyPrint's own dependency

    ffi = cffi.FFI()
    ffi.cdef(_CDEF)
    return ffi


@functools.cache
def _library(*names: str):
    for name in names:
        try:
            return _ffi().dlopen(name)
        except OSError:
            continue
    raise Unavailable(f"none of {', '.join(names)} could be loaded")


def _harfbuzz():
    return (
        _library("libharfbuzz.so.0", "libharfbuzz.0.dylib", "libharfbuzz-0.dll"),
        _library("libharfbuzz-subset.so.0", "libharfbuzz-subset.0.dylib", "libharfbuzz-subset-0.dll"),
    )


def _fontconfig():
    return _library("libfontconfig.so.1", "libfontconfig.1.dylib", "libfontconfig-1.dll")


def characters() -> list[tuple[int, int]]:
    """What a cut face keeps, as ranges of code points: GB 2312's characters one by one, then ``RANGES``."""
    kept = []
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                character = bytes((high, low)).decode("gb2312")
            except UnicodeDecodeError:
                continue
            kept.append((ord(character), ord(character)))
    return kept + list(RANGES)


def source_face(weight: str) -> tuple[Path, int]:
    """The file and face index fontconfig gives for Noto Sans CJK SC at ``weight``."""
    ffi, fontconfig = _ffi(), _fontconfig()
    pattern = fontconfig.FcNameParse(f"{SOURCE_FAMILY}:weight={weight}".encode())
    fontconfig.FcConfigSubstitute(ffi.NULL, pattern, fontconfig.FcMatchPattern)
    fontconfig.FcDefaultSubstitute(pattern)
    result = ffi.new("FcResult *")
    match = fontconfig.FcFontMatch(ffi.NULL, pattern, result)
    fontconfig.FcPatternDestroy(pattern)
    if match == ffi.NULL:
        raise Unavailable(f"fontconfig matches no font for {SOURCE_FAMILY}")
    try:
        text, number = ffi.new("FcChar8 **"), ffi.new("int *")
        families, n = [], 0
        while fontconfig.FcPatternGetString(match, b"family", n, text) == fontconfig.FcResultMatch:
            families.append(ffi.string(text[0]).decode())
            n += 1
        if SOURCE_FAMILY not in families:  # fontconfig always matches something: DejaVu is not it
            raise Unavailable(f"{SOURCE_FAMILY} is not installed (fontconfig offers {', '.join(families)})")
        fontconfig.FcPatternGetString(match, b"file", 0, text)
        path = Path(os.fsdecode(ffi.string(text[0])))
        index = number[0] if fontconfig.FcPatternGetInteger(match, b"index", 0, number) == 0 else 0
    finally:
        fontconfig.FcPatternDestroy(match)
    return path, index


def cut(source: Path, index: int, target: Path) -> None:
    """Write the face ``index`` of ``source``, cut to ``characters()``, to ``target`` (atomically)."""
    ffi, (harfbuzz, subset) = _ffi(), _harfbuzz()
    blob = harfbuzz.hb_blob_create_from_file_or_fail(os.fsencode(source))
    if blob == ffi.NULL:
        raise Unavailable(f"HarfBuzz cannot read {source}")
    face = harfbuzz.hb_face_create(blob, index)
    wanted = subset.hb_subset_input_create_or_fail()
    cut_face = ffi.NULL
    try:
        unicodes = subset.hb_subset_input_unicode_set(wanted)
        for first, last in characters():
            harfbuzz.hb_set_add_range(unicodes, first, last)
        cut_face = subset.hb_subset_or_fail(face, wanted)
        if cut_face == ffi.NULL:
            raise Unavailable(f"HarfBuzz could not cut {source}")
        data = harfbuzz.hb_face_reference_blob(cut_face)
        length = ffi.new("unsigned int *")
        content = ffi.unpack(harfbuzz.hb_blob_get_data(data, length), length[0])
        harfbuzz.hb_blob_destroy(data)
    finally:
        if cut_face != ffi.NULL:
            harfbuzz.hb_face_destroy(cut_face)
        subset.hb_subset_input_destroy(wanted)
        harfbuzz.hb_face_destroy(face)
        harfbuzz.hb_blob_destroy(blob)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Written beside and renamed: another process cutting the same face at once never reads half a file.
    with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".part", delete=False) as part:
        part.write(content)
    os.chmod(part.name, 0o644)
    os.replace(part.name, target)


def _target(source: Path, index: int, weight: str) -> Path:
    stat = source.stat()
    key = f"{source}|{index}|{stat.st_size}|{stat.st_mtime_ns}|{CUT}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    return Path(settings.PRINT_FONT_DIR) / f"print-sans-sc-{weight}-{digest}.otf"


def missing() -> str | None:
    """Why this machine cannot print Chinese at all (no Noto Sans CJK SC), or None when it can."""
    try:
        source_face(WEIGHTS["normal"])
    except (Unavailable, OSError) as error:
        return str(error)
    return None


@functools.cache
def faces() -> tuple[tuple[str, str], ...]:
    """(CSS font-weight, file URI) of each cut face, cut now where this machine has none yet.

    Empty when the cut cannot be made: the form is then set in the full font, if there is one.
    """
    found = []
    try:
        sources = {css_weight: source_face(weight) for css_weight, weight in WEIGHTS.items()}
    except (Unavailable, OSError) as error:
        logger.error("Printed forms have no Chinese font, their Chinese prints as empty boxes: %s", error)
        return ()
    try:
        for css_weight, weight in WEIGHTS.items():
            source, index = sources[css_weight]
            target = _target(source, index, weight)
            if not target.exists():
                cut(source, index, target)
            found.append((css_weight, target.as_uri()))
    except (Unavailable, OSError) as error:
        logger.warning("Printed forms use the full %s: %s", SOURCE_FAMILY, error)
        return ()
    return tuple(found)


def font_families() -> list[str]:
    """The font families a form is printed in: the cut faces where there are any, then the full font."""
    return ([FAMILY] if faces() else []) + [SOURCE_FAMILY]
