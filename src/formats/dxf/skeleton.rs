//! The drawing skeleton the writer puts around the entities: HEADER,
//! TABLES, BLOCKS and OBJECTS.

use super::*;

pub(super) fn write_header<W: Write>(
    o: &mut Out<W>,
    plan: &Plan,
    handseed: u64,
) -> std::io::Result<()> {
    let (min, max) = extents(plan);
    o.s(0, "SECTION")?;
    o.s(2, "HEADER")?;
    o.s(9, "$ACADVER")?;
    o.s(1, "AC1015")?;
    o.s(9, "$ACADMAINTVER")?;
    o.i(70, 6)?;
    o.s(9, "$DWGCODEPAGE")?;
    // The text is ASCII (\U+ escapes), so the code page only labels it; not
    // ANSI_1258: GDAL's iconv recoding from CP1258 drops every string's
    // last character.
    o.s(3, "ANSI_1252")?;
    o.s(9, "$INSBASE")?;
    o.xyz(10, [0.0, 0.0])?;
    o.s(9, "$EXTMIN")?;
    o.xyz(10, min)?;
    o.s(9, "$EXTMAX")?;
    o.xyz(10, max)?;
    o.s(9, "$LIMMIN")?;
    o.xy(min)?;
    o.s(9, "$LIMMAX")?;
    o.xy(max)?;
    for (name, v) in [
        ("$ORTHOMODE", 0),
        ("$REGENMODE", 1),
        ("$FILLMODE", 1),
        ("$QTEXTMODE", 0),
        ("$MIRRTEXT", 0),
        ("$ATTMODE", 1),
    ] {
        o.s(9, name)?;
        o.i(70, v)?;
    }
    o.s(9, "$LTSCALE")?;
    o.f(40, 1.0)?;
    o.s(9, "$TEXTSIZE")?;
    o.f(40, TEXT_HEIGHT)?;
    o.s(9, "$TEXTSTYLE")?;
    o.s(7, "Standard")?;
    o.s(9, "$CLAYER")?;
    o.s(8, "0")?;
    o.s(9, "$CELTYPE")?;
    o.s(6, "ByLayer")?;
    o.s(9, "$CECOLOR")?;
    o.i(62, 256)?;
    o.s(9, "$CELTSCALE")?;
    o.f(40, 1.0)?;
    // decimal units, 4 decimals, degrees: what VN-2000 surveyors use
    for (name, v) in [
        ("$LUNITS", 2),
        ("$LUPREC", 4),
        ("$AUNITS", 0),
        ("$AUPREC", 4),
    ] {
        o.s(9, name)?;
        o.i(70, v)?;
    }
    o.s(9, "$MENU")?;
    o.s(1, ".")?;
    o.s(9, "$ELEVATION")?;
    o.f(40, 0.0)?;
    // survey points drawn as a circled cross 0.5 m wide
    o.s(9, "$PDMODE")?;
    o.i(70, 34)?;
    o.s(9, "$PDSIZE")?;
    o.f(40, 0.5)?;
    o.s(9, "$HANDSEED")?;
    o.h(5, handseed)?;
    o.s(9, "$TILEMODE")?;
    o.i(70, 1)?;
    o.s(9, "$PLINEGEN")?;
    o.i(70, 0)?;
    o.s(9, "$MEASUREMENT")?;
    o.i(70, 1)?;
    o.s(9, "$CELWEIGHT")?;
    o.i(370, -1)?;
    o.s(9, "$INSUNITS")?;
    o.i(70, 6)?;
    o.s(9, "$PSTYLEMODE")?;
    o.i(290, 1)?;
    o.s(9, "$EXTNAMES")?;
    o.i(290, 1)?;
    o.s(0, "ENDSEC")?;
    // CLASSES: the non-builtin object types the OBJECTS section uses
    o.s(0, "SECTION")?;
    o.s(2, "CLASSES")?;
    for (name, cpp) in [
        ("ACDBDICTIONARYWDFLT", "AcDbDictionaryWithDefault"),
        ("ACDBPLACEHOLDER", "AcDbPlaceHolder"),
        ("LAYOUT", "AcDbLayout"),
    ] {
        o.s(0, "CLASS")?;
        o.s(1, name)?;
        o.s(2, cpp)?;
        o.s(3, "ObjectDBX Classes")?;
        o.i(90, 0)?;
        o.i(280, 0)?;
        o.i(281, 0)?;
    }
    o.s(0, "ENDSEC")
}

/// Drawing extents, a 1 m box at the origin for an empty drawing.
pub(super) fn extents(plan: &Plan) -> (Pt, Pt) {
    if plan.min[0].is_finite() && plan.max[0].is_finite() {
        (plan.min, plan.max)
    } else {
        ([0.0, 0.0], [1.0, 1.0])
    }
}

pub(super) fn write_tables<W: Write>(o: &mut Out<W>, plan: &Plan) -> std::io::Result<()> {
    let (min, max) = extents(plan);
    let w = (max[0] - min[0]).max(1.0);
    let h = (max[1] - min[1]).max(1.0);
    o.s(0, "SECTION")?;
    o.s(2, "TABLES")?;

    // VPORT: the active view zoomed to the data
    o.table("VPORT", H_VPORT_TABLE, 1)?;
    o.record(
        "VPORT",
        H_VPORT_ACTIVE,
        H_VPORT_TABLE,
        "AcDbViewportTableRecord",
    )?;
    o.s(2, "*Active")?;
    o.i(70, 0)?;
    o.f(10, 0.0)?;
    o.f(20, 0.0)?;
    o.f(11, 1.0)?;
    o.f(21, 1.0)?;
    o.c(12, (min[0] + max[0]) / 2.0)?;
    o.c(22, (min[1] + max[1]) / 2.0)?;
    for (code, v) in [
        (13, 0.0),
        (23, 0.0),
        (14, 1.0),
        (24, 1.0),
        (15, 10.0),
        (25, 10.0),
        (16, 0.0),
        (26, 0.0),
        (36, 1.0),
        (17, 0.0),
        (27, 0.0),
        (37, 0.0),
    ] {
        o.f(code, v)?;
    }
    o.c(40, h * 1.1)?;
    o.f(41, (w / h).clamp(0.1, 10.0))?;
    for (code, v) in [(42, 50.0), (43, 0.0), (44, 0.0), (50, 0.0), (51, 0.0)] {
        o.f(code, v)?;
    }
    for (code, v) in [
        (71, 0),
        (72, 1000),
        (73, 1),
        (74, 3),
        (75, 0),
        (76, 0),
        (77, 0),
        (78, 0),
        (281, 0),
        (65, 1),
    ] {
        o.i(code, v)?;
    }
    for (code, v) in [
        (110, 0.0),
        (120, 0.0),
        (130, 0.0),
        (111, 1.0),
        (121, 0.0),
        (131, 0.0),
        (112, 0.0),
        (122, 1.0),
        (132, 0.0),
    ] {
        o.f(code, v)?;
    }
    o.i(79, 0)?;
    o.f(146, 0.0)?;
    o.s(0, "ENDTAB")?;

    o.table("LTYPE", H_LTYPE_TABLE, 3)?;
    for (handle, name, descr) in [
        (H_LTYPE_BYBLOCK, "ByBlock", ""),
        (H_LTYPE_BYLAYER, "ByLayer", ""),
        (H_LTYPE_CONTINUOUS, "Continuous", "Solid line"),
    ] {
        o.record("LTYPE", handle, H_LTYPE_TABLE, "AcDbLinetypeTableRecord")?;
        o.s(2, name)?;
        o.i(70, 0)?;
        o.s(3, descr)?;
        o.i(72, 65)?;
        o.i(73, 0)?;
        o.f(40, 0.0)?;
    }
    o.s(0, "ENDTAB")?;

    o.table("LAYER", H_LAYER_TABLE, 1 + plan.layers.len() as i64)?;
    let zero = DxfLayer {
        name: "0".into(),
        colour: 7,
        handle: H_LAYER_0,
    };
    for l in std::iter::once(&zero).chain(&plan.layers) {
        o.record("LAYER", l.handle, H_LAYER_TABLE, "AcDbLayerTableRecord")?;
        o.s(2, &l.name)?;
        o.i(70, 0)?;
        o.i(62, i64::from(l.colour))?;
        o.s(6, "Continuous")?;
        o.i(370, -3)?;
        o.h(390, H_PLOTSTYLE_NORMAL)?;
    }
    o.s(0, "ENDTAB")?;

    // a TrueType font, so that Vietnamese letters show (txt.shx has none)
    o.table("STYLE", H_STYLE_TABLE, 1)?;
    o.record(
        "STYLE",
        H_STYLE_STANDARD,
        H_STYLE_TABLE,
        "AcDbTextStyleTableRecord",
    )?;
    o.s(2, "Standard")?;
    o.i(70, 0)?;
    o.f(40, 0.0)?;
    o.f(41, 1.0)?;
    o.f(50, 0.0)?;
    o.i(71, 0)?;
    o.f(42, TEXT_HEIGHT)?;
    o.s(3, "arial.ttf")?;
    o.s(4, "")?;
    o.s(0, "ENDTAB")?;

    o.table("VIEW", H_VIEW_TABLE, 0)?;
    o.s(0, "ENDTAB")?;
    o.table("UCS", H_UCS_TABLE, 0)?;
    o.s(0, "ENDTAB")?;

    o.table("APPID", H_APPID_TABLE, 2)?;
    for (handle, name) in [(H_APPID_ACAD, "ACAD"), (H_APPID_HIENDAT, APP)] {
        o.record("APPID", handle, H_APPID_TABLE, "AcDbRegAppTableRecord")?;
        o.s(2, name)?;
        o.i(70, 0)?;
    }
    o.s(0, "ENDTAB")?;

    // DIMSTYLE: its table has an extra subclass; its records use 105
    o.table("DIMSTYLE", H_DIMSTYLE_TABLE, 1)?;
    o.s(100, "AcDbDimStyleTable")?;
    o.s(0, "DIMSTYLE")?;
    o.h(105, H_DIMSTYLE_STANDARD)?;
    o.h(330, H_DIMSTYLE_TABLE)?;
    o.s(100, "AcDbSymbolTableRecord")?;
    o.s(100, "AcDbDimStyleTableRecord")?;
    o.s(2, "Standard")?;
    o.i(70, 0)?;
    o.h(340, H_STYLE_STANDARD)?;
    o.s(0, "ENDTAB")?;

    o.table("BLOCK_RECORD", H_BLOCK_RECORD_TABLE, 2)?;
    for (handle, name, layout) in [
        (H_MS_RECORD, "*Model_Space", H_MS_LAYOUT),
        (H_PS_RECORD, "*Paper_Space", H_PS_LAYOUT),
    ] {
        o.record(
            "BLOCK_RECORD",
            handle,
            H_BLOCK_RECORD_TABLE,
            "AcDbBlockTableRecord",
        )?;
        o.s(2, name)?;
        o.h(340, layout)?;
    }
    o.s(0, "ENDTAB")?;
    o.s(0, "ENDSEC")
}

pub(super) fn write_blocks<W: Write>(o: &mut Out<W>) -> std::io::Result<()> {
    o.s(0, "SECTION")?;
    o.s(2, "BLOCKS")?;
    for (block, endblk, record, name, paper) in [
        (H_MS_BLOCK, H_MS_ENDBLK, H_MS_RECORD, "*Model_Space", false),
        (H_PS_BLOCK, H_PS_ENDBLK, H_PS_RECORD, "*Paper_Space", true),
    ] {
        o.s(0, "BLOCK")?;
        o.h(5, block)?;
        o.h(330, record)?;
        o.s(100, "AcDbEntity")?;
        if paper {
            o.i(67, 1)?;
        }
        o.s(8, "0")?;
        o.s(100, "AcDbBlockBegin")?;
        o.s(2, name)?;
        o.i(70, 0)?;
        o.xyz(10, [0.0, 0.0])?;
        o.s(3, name)?;
        o.s(1, "")?;
        o.s(0, "ENDBLK")?;
        o.h(5, endblk)?;
        o.h(330, record)?;
        o.s(100, "AcDbEntity")?;
        if paper {
            o.i(67, 1)?;
        }
        o.s(8, "0")?;
        o.s(100, "AcDbBlockEnd")?;
    }
    o.s(0, "ENDSEC")
}

pub(super) fn write_objects<W: Write>(o: &mut Out<W>) -> std::io::Result<()> {
    o.s(0, "SECTION")?;
    o.s(2, "OBJECTS")?;
    o.dictionary(
        H_ROOT_DICT,
        0,
        &[
            ("ACAD_GROUP", H_GROUP_DICT),
            ("ACAD_LAYOUT", H_LAYOUT_DICT),
            ("ACAD_PLOTSTYLENAME", H_PLOTSTYLE_DICT),
        ],
    )?;
    o.dictionary(H_GROUP_DICT, H_ROOT_DICT, &[])?;
    o.dictionary(
        H_LAYOUT_DICT,
        H_ROOT_DICT,
        &[("Layout1", H_PS_LAYOUT), ("Model", H_MS_LAYOUT)],
    )?;
    o.s(0, "ACDBDICTIONARYWDFLT")?;
    o.h(5, H_PLOTSTYLE_DICT)?;
    o.s(102, "{ACAD_REACTORS")?;
    o.h(330, H_ROOT_DICT)?;
    o.s(102, "}")?;
    o.h(330, H_ROOT_DICT)?;
    o.s(100, "AcDbDictionary")?;
    o.i(281, 1)?;
    o.s(3, "Normal")?;
    o.h(350, H_PLOTSTYLE_NORMAL)?;
    o.s(100, "AcDbDictionaryWithDefault")?;
    o.h(340, H_PLOTSTYLE_NORMAL)?;
    o.s(0, "ACDBPLACEHOLDER")?;
    o.h(5, H_PLOTSTYLE_NORMAL)?;
    o.s(102, "{ACAD_REACTORS")?;
    o.h(330, H_PLOTSTYLE_DICT)?;
    o.s(102, "}")?;
    o.h(330, H_PLOTSTYLE_DICT)?;
    for (handle, name, record, paper) in [
        (H_PS_LAYOUT, "Layout1", H_PS_RECORD, true),
        (H_MS_LAYOUT, "Model", H_MS_RECORD, false),
    ] {
        o.s(0, "LAYOUT")?;
        o.h(5, handle)?;
        o.s(102, "{ACAD_REACTORS")?;
        o.h(330, H_LAYOUT_DICT)?;
        o.s(102, "}")?;
        o.h(330, H_LAYOUT_DICT)?;
        o.s(100, "AcDbPlotSettings")?;
        o.s(1, "")?;
        o.s(2, "none_device")?;
        o.s(4, "")?;
        o.s(6, "")?;
        for code in [40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 140, 141] {
            o.f(code, 0.0)?;
        }
        o.f(142, 1.0)?;
        o.f(143, 1.0)?;
        o.i(70, if paper { 688 } else { 1712 })?;
        o.i(72, 0)?;
        o.i(73, 0)?;
        o.i(74, if paper { 5 } else { 0 })?;
        o.s(7, "")?;
        o.i(75, if paper { 16 } else { 0 })?;
        o.i(76, 0)?;
        o.i(77, 2)?;
        o.i(78, 300)?;
        o.f(147, 1.0)?;
        o.f(148, 0.0)?;
        o.f(149, 0.0)?;
        o.s(100, "AcDbLayout")?;
        o.s(1, name)?;
        o.i(70, 1)?;
        o.i(71, if paper { 1 } else { 0 })?;
        for (code, v) in [
            (10, 0.0),
            (20, 0.0),
            (11, 420.0),
            (21, 297.0),
            (12, 0.0),
            (22, 0.0),
            (32, 0.0),
            (14, 1e20),
            (24, 1e20),
            (34, 1e20),
            (15, -1e20),
            (25, -1e20),
            (35, -1e20),
            (146, 0.0),
            (13, 0.0),
            (23, 0.0),
            (33, 0.0),
            (16, 1.0),
            (26, 0.0),
            (36, 0.0),
            (17, 0.0),
            (27, 1.0),
            (37, 0.0),
        ] {
            o.f(code, v)?;
        }
        o.i(76, 0)?;
        o.h(330, record)?;
        if !paper {
            o.h(331, H_VPORT_ACTIVE)?;
        }
    }
    o.s(0, "ENDSEC")
}
