// Wan's prompt cleaning and its default negative prompt (docs/models/wan.md §3.2, §3.5).
import { fixText, pythonHtmlUnescape } from './fix-text.ts';

/**
 * Wan 2.1's default negative prompt (`sample_neg_prompt` in Wan's shared config), used when the user gives
 * none; VACE and T2V use it unchanged (docs/models/wan.md §3.5). After cleaning, its full-width commas
 * are ASCII commas (§3.2).
 */
export const WAN_DEFAULT_NEGATIVE_PROMPT =
  '色调艳丽，过曝，静态，细节模糊不清，字幕，风格，作品，画作，画面，静止，整体发灰，最差质量，低质量，JPEG压缩残留，丑陋的，残缺的，多余的手指，画得不好的手部，画得不好的脸部，畸形的，毁容的，形态畸形的肢体，手指融合，静止不动的画面，杂乱的背景，三条腿，背景人很多，倒着走';

/** The English rendering Wan's README gives, for help text only: the model is given the Chinese one. */
export const WAN_DEFAULT_NEGATIVE_PROMPT_ENGLISH =
  'Bright tones, overexposed, static, blurred details, subtitles, style, works, paintings, images, static, ' +
  'overall gray, worst quality, low quality, JPEG compression residue, ugly, incomplete, extra fingers, ' +
  'poorly drawn hands, poorly drawn faces, deformed, disfigured, misshapen limbs, fused fingers, still ' +
  'picture, messy background, three legs, many people in the background, walking backwards';

// `\s` of Python's `regex` module (Unicode White_Space), which Wan's whitespace_clean uses: JavaScript's
// `\s` adds U+FEFF and lacks U+0085. Python's str.strip() also removes U+001C–U+001F (str.isspace).
const PY_REGEX_SPACE = '\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_ISSPACE = `${PY_REGEX_SPACE}\\u001c-\\u001f`;
const PY_REGEX_SPACE_RUN = new RegExp(`[${PY_REGEX_SPACE}]+`, 'g');
const PY_STRIP_START = new RegExp(`^[${PY_ISSPACE}]+`);
const PY_STRIP_END = new RegExp(`[${PY_ISSPACE}]+$`);

const pyStrip = (text: string) => text.replace(PY_STRIP_START, '').replace(PY_STRIP_END, '');

/**
 * Wan's `clean='whitespace'` (docs/models/wan.md §3.2): ftfy.fix_text, HTML-unescape twice, strip, every
 * run of whitespace to one space, strip.
 */
export function cleanPrompt(text: string): string {
  const unescaped = pythonHtmlUnescape(pythonHtmlUnescape(fixText(text)));
  return pyStrip(pyStrip(unescaped).replace(PY_REGEX_SPACE_RUN, ' '));
}
