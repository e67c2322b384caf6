// Integer constants (C11 6.4.4.1 plus GNU binary `0b` literals): the exact value as a BigInt and
// the suffix, without choosing a C type. `#if` uses it directly (everything is intmax_t or
// uintmax_t there); the parser can choose the type from `unsigned`/`longs`/`decimal`.
// Pure function of the spelling; never throws.

export interface IntegerConstant {
  readonly ok: true;
  /** The exact value, not truncated (may be >= 2**64; see `tooLarge`). */
  readonly value: bigint;
  /** A `u`/`U` suffix. */
  readonly unsigned: boolean;
  /** Number of `l`/`L` in the suffix: 0, 1 or 2. */
  readonly longs: number;
  /** Decimal constants never become unsigned implicitly (C11 6.4.4.1p5). */
  readonly decimal: boolean;
  /** The value does not fit in 64 bits. */
  readonly tooLarge: boolean;
}

export interface NotAnInteger {
  readonly ok: false;
  /** A floating constant (valid C, not allowed in `#if`). */
  readonly float: boolean;
  /** gcc's wording for the problem. */
  readonly message: string;
}

const SUFFIX = /^(?:[uU](?:ll|LL|l|L)?|(?:ll|LL|l|L)[uU]?)?$/;

/** Parse the spelling of a pp-number as an integer constant. */
export function parseIntegerConstant(text: string): IntegerConstant | NotAnInteger {
  const m = /^(0[xX][0-9a-fA-F]+|0[bB][01]+|[0-9]+)(.*)$/s.exec(text);
  if (!m || isFloat(text)) {
    if (isFloat(text)) return { ok: false, float: true, message: 'floating constant in preprocessor expression' };
    return { ok: false, float: false, message: `invalid integer constant "${text}"` };
  }
  const digits = m[1];
  const suffix = m[2];
  if (!SUFFIX.test(suffix)) {
    return { ok: false, float: false, message: `invalid suffix "${suffix}" on integer constant` };
  }
  let value: bigint;
  const decimal = !(digits.length > 1 && digits[0] === '0');
  if (/^0[xX]/.test(digits) || /^0[bB]/.test(digits)) value = BigInt(digits);
  else if (!decimal) {
    if (/[89]/.test(digits)) return { ok: false, float: false, message: `invalid digit "${/[89]/.exec(digits)?.[0]}" in octal constant` };
    value = BigInt('0o' + digits.slice(1));
  } else value = BigInt(digits);
  return {
    ok: true,
    value,
    unsigned: /[uU]/.test(suffix),
    longs: (suffix.match(/[lL]/g) ?? []).length,
    decimal,
    tooLarge: value >= 1n << 64n,
  };
}

function isFloat(text: string): boolean {
  if (/^0[xX]/.test(text)) return /[.pP]/.test(text);
  return /^[0-9]*\.|^[0-9]+[eE]/.test(text);
}
