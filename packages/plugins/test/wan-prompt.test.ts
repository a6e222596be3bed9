// Wan's prompt cleaning (docs/models/wan.md §3.2) and default negative prompt (§3.5). Every expected
// string is the output of Wan's own cleaning in Python (ftfy 6.3.1 + html.unescape + the `regex` module),
// printed by test/fixtures/wan-prompt-reference.py for the same inputs; none comes from cleanPrompt.
import { describe, expect, it } from 'vitest';
import {
  cleanPrompt,
  WAN_DEFAULT_NEGATIVE_PROMPT,
  WAN_DEFAULT_NEGATIVE_PROMPT_ENGLISH,
} from '../src/wan/prompt.ts';

const REFERENCE: [what: string, input: string, wan: string][] = [
  ['UTF-8 read as Latin-1', 'cafÃ©', 'café'],
  ['UTF-8 read as Windows-1252, then quotes uncurled', 'donâ€™t stop', "don't stop"],
  ['Windows-1252 mojibake with an unassigned byte', 'â€œhelloâ€\x9d', '"hello"'],
  ['double mojibake', 'cafÃƒÂ©', 'café'],
  ['mojibake, then a control character removed', 'Ã©\x1a', 'é'],
  ['C1 control read as Windows-1252', 'I\x92m', "I'm"],
  ['U+0085 is a Windows-1252 ellipsis before it is a line break', 'a\x85b', 'a…b'],
  ['whitespace runs and ends', '  A   cat\t\tsits\non  the mat  ', 'A cat sits on the mat'],
  ['line breaks of every kind', 'line1\r\nline2\u2028line3', 'line1 line2 line3'],
  ['double-escaped entities', '&amp;lt;b&amp;gt;', '<b>'],
  ['"<" turns ftfy’s unescaping off; Wan’s two passes still run', 'a < b &amp;lt; c', 'a < b < c'],
  ['off for the lines after a "<" line too', '<i>a</i>\n&rsquo;', '<i>a</i> ’'],
  ['but not for the lines before', '&rsquo;\n<i>a</i>', "' <i>a</i>"],
  ['named entities, quotes uncurled', '&rsquo;quoted&rsquo; &hellip;', "'quoted' …"],
  ['an upper-cased entity name', '&NTILDE;', 'Ñ'],
  ['decimal reference', '&#8217;', "'"],
  ['hexadecimal reference beyond the BMP', '&#x1F431; cat', '🐱 cat'],
  ['C1 reference read as Windows-1252', '&#133;', '…'],
  ['reference to a removed control character', '&#65279;x', 'x'],
  ['references to NUL and to an invalid code point', '&#0;&#1;x', '\ufffdx'],
  ['reference beyond Unicode', '&#x110000;', '\ufffd'],
  ['reference to a noncharacter', 'a&#xFDD0;b', 'ab'],
  ['legacy entities without ";"', '&notit; &amp', '¬it; &'],
  ['no-break space is whitespace', 'A&nbsp;B', 'A B'],
  ['Python’s whitespace: U+FEFF is not, U+2003 is', '< &#65279;x &#x2003;y&#x85;', '< \ufeffx y…'],
  ['full-width forms and the ideographic space', '＂ＬＯＵＤ＂　ｎｏｉｓｅ', '"LOUD" noise'],
  ['full-width punctuation', 'Chinese，with fullwidth！', 'Chinese,with fullwidth!'],
  ['Latin ligatures', 'ﬁne ﬂowers', 'fine flowers'],
  ['NFC', 'e\u0301', 'é'],
  [
    'control characters removed, zero-width space kept',
    'bell\x07 null\x00 zwsp\u200b',
    'bell null zwsp\u200b',
  ],
  ['byte-order mark', '\ufeffhello', 'hello'],
  ['terminal colour codes', '\x1b[31mred\x1b[0m', 'red'],
  ['empty', '', ''],
];

describe('cleanPrompt', () => {
  it.each(REFERENCE)('%s', (_what, input, wan) => {
    expect(cleanPrompt(input)).toBe(wan);
  });

  it('turns the negative prompt’s full-width commas into ASCII ones, as Wan does', () => {
    const cleaned = cleanPrompt(WAN_DEFAULT_NEGATIVE_PROMPT);
    expect(cleaned).toBe(WAN_DEFAULT_NEGATIVE_PROMPT.replaceAll('，', ','));
    expect(cleaned).not.toContain('，');
  });
});

describe('WAN_DEFAULT_NEGATIVE_PROMPT', () => {
  // Wan-Video/Wan2.1 wan/configs/shared_config.py `sample_neg_prompt` (commit 9737cba): 137 characters,
  // 27 full-width commas, 28 phrases.
  it('is Wan’s sample_neg_prompt', () => {
    const text = WAN_DEFAULT_NEGATIVE_PROMPT;
    expect([...text].length).toBe(137);
    expect(text.startsWith('色调艳丽，过曝，静态，')).toBe(true);
    expect(text.endsWith('，三条腿，背景人很多，倒着走')).toBe(true);
    expect(text.split('，')).toHaveLength(28);
    expect(text).toContain('，JPEG压缩残留，');
  });

  it('has the English rendering of Wan’s README, phrase for phrase', () => {
    const english = WAN_DEFAULT_NEGATIVE_PROMPT_ENGLISH.split(', ');
    expect(english).toHaveLength(28);
    expect(english[0]).toBe('Bright tones');
    expect(english[13]).toBe('JPEG compression residue');
    expect(english.at(-1)).toBe('walking backwards');
  });
});
