using System.Diagnostics;
using System.Globalization;

namespace Mca.Workloads.MceInject;

internal enum MceInjectTokenKind
{
    End = 0,
    Keyword,
    Number,
    /// <summary>An identifier that is not a keyword (mce.lex SYMBOL; only valid inside <c>{...}</c>).</summary>
    Symbol,
    Colon,
    LessThan,
    GreaterThan,
    LeftBrace,
    RightBrace,
    /// <summary>A character the scanner does not know; the parser reports it in context.</summary>
    Invalid,
}

/// <summary>One token with its source span (1-based line and column of its first character).</summary>
internal readonly record struct MceInjectToken(
    MceInjectTokenKind Kind,
    MceInjectKeyword Keyword,
    ulong Value,
    int Start,
    int Length,
    int Line,
    int Column);

/// <summary>
/// Hand-written scanner for the mce-inject language (andikleen/mce-inject mce.lex):
/// <c>#</c> comments to end of line, C hex/octal/decimal numbers, identifiers, the punctuation
/// <c>: &lt; &gt; { }</c>, blanks and newlines. Malformed numbers are rejected here; unknown
/// characters become <see cref="MceInjectTokenKind.Invalid"/> tokens so that the parser can say what
/// it expected at that point.
/// </summary>
internal struct MceInjectLexer
{
    /// <summary>Longest token text quoted in a message; longer text is cut with "...".</summary>
    private const int QuotedLengthMax = 40;

    private readonly string _text;
    private readonly string _fileName;
    private int _position;
    private int _line;
    private int _lineStart;

    public MceInjectLexer(string text, string fileName)
    {
        _text = text;
        _fileName = fileName;
        _line = 1;
        _lineStart = 0;
        // A UTF-8 byte-order mark decoded as U+FEFF is not part of the scenario.
        _position = text.Length > 0 && text[0] == '\uFEFF' ? 1 : 0;
        _lineStart = _position;
    }

    public MceInjectToken Next()
    {
        SkipBlanksAndComments();
        int start = _position;
        int column = start - _lineStart + 1;
        if (start >= _text.Length)
        {
            return new MceInjectToken(MceInjectTokenKind.End, MceInjectKeyword.None, 0, start, 0, _line, column);
        }

        char c = _text[start];
        MceInjectTokenKind punctuation = c switch
        {
            ':' => MceInjectTokenKind.Colon,
            '<' => MceInjectTokenKind.LessThan,
            '>' => MceInjectTokenKind.GreaterThan,
            '{' => MceInjectTokenKind.LeftBrace,
            '}' => MceInjectTokenKind.RightBrace,
            _ => MceInjectTokenKind.End,
        };
        if (punctuation != MceInjectTokenKind.End)
        {
            _position++;
            return new MceInjectToken(punctuation, MceInjectKeyword.None, 0, start, 1, _line, column);
        }

        if (char.IsAsciiDigit(c))
        {
            return ScanNumber(start, column);
        }

        if (c == '_' || char.IsAsciiLetter(c))
        {
            int end = start + 1;
            while (end < _text.Length && IsWordChar(_text[end]))
            {
                end++;
            }

            _position = end;
            MceInjectKeyword keyword = MceInjectKeywords.Lookup(_text.AsSpan(start, end - start));
            MceInjectTokenKind kind = keyword == MceInjectKeyword.None ? MceInjectTokenKind.Symbol : MceInjectTokenKind.Keyword;
            return new MceInjectToken(kind, keyword, 0, start, end - start, _line, column);
        }

        // One UTF-16 unit; a surrogate pair is reported as its first half, which is enough to point at it.
        _position++;
        return new MceInjectToken(MceInjectTokenKind.Invalid, MceInjectKeyword.None, 0, start, 1, _line, column);
    }

    /// <summary>How a token is shown after "found" in a message.</summary>
    public readonly string Describe(in MceInjectToken token)
    {
        if (token.Kind == MceInjectTokenKind.End)
        {
            return "end of input";
        }

        if (token.Kind == MceInjectTokenKind.Invalid)
        {
            char c = _text[token.Start];
            return c is >= '!' and <= '~'
                ? "'" + c + "'"
                : string.Create(CultureInfo.InvariantCulture, $"character U+{(int)c:X4}");
        }

        return Quote(_text.AsSpan(token.Start, token.Length));
    }

    public readonly ScenarioException Error(in MceInjectToken token, string expected) =>
        new(_fileName, token.Line, token.Column, expected, Describe(token));

    private static bool IsWordChar(char c) => c == '_' || char.IsAsciiLetterOrDigit(c);

    private static string Quote(ReadOnlySpan<char> text) =>
        text.Length <= QuotedLengthMax
            ? "'" + text.ToString() + "'"
            : "'" + text[..QuotedLengthMax].ToString() + "...'";

    private void SkipBlanksAndComments()
    {
        while (_position < _text.Length)
        {
            char c = _text[_position];
            if (c == '\n')
            {
                _position++;
                _line++;
                _lineStart = _position;
            }
            else if (c is ' ' or '\t' or '\r')
            {
                // Deviation: mce.lex treats '\r' as an unrecognized character; accepting it lets CRLF files parse.
                _position++;
            }
            else if (c == '#')
            {
                // mce-inject mce.lex: comments run from '#' to end of line. Deviation: mce.lex needs the
                // newline (a comment on the last line without one is an error there) and does not count
                // the comment's newline in yylineno; here line numbers stay true.
                while (_position < _text.Length && _text[_position] != '\n')
                {
                    _position++;
                }
            }
            else
            {
                return;
            }
        }
    }

    /// <summary>
    /// C numbers (mce-inject mce.lex uses strtoull(..., 0)): <c>0x</c> hex, a leading <c>0</c>
    /// octal, otherwise decimal, all unsigned 64-bit.
    /// </summary>
    private MceInjectToken ScanNumber(int start, int column)
    {
        int end = start;
        while (end < _text.Length && IsWordChar(_text[end]))
        {
            end++;
        }

        ReadOnlySpan<char> text = _text.AsSpan(start, end - start);
        _position = end;
        var token = new MceInjectToken(MceInjectTokenKind.Number, MceInjectKeyword.None, 0, start, end - start, _line, column);

        ulong value;
        if (text.Length >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
        {
            // Deviation: mce.lex accepts only a lower-case 0x; 0X is accepted here as in C.
            ReadOnlySpan<char> digits = text[2..];
            if (digits.IsEmpty || !IsAll(digits, 16))
            {
                throw Error(token, "a hexadecimal number");
            }

            value = Accumulate(digits, 16, token);
        }
        else if (text.Length >= 2 && text[0] == '0')
        {
            // Deviation: mce.lex scans "09" as a decimal token that strtoull reads as 0; it is an error here.
            ReadOnlySpan<char> digits = text[1..];
            if (!IsAll(digits, 8))
            {
                throw Error(token, IsAll(digits, 10) ? "an octal number" : "a number");
            }

            value = Accumulate(digits, 8, token);
        }
        else
        {
            if (!IsAll(text, 10))
            {
                throw Error(token, "a number");
            }

            value = Accumulate(text, 10, token);
        }

        return token with { Value = value };
    }

    private static bool IsAll(ReadOnlySpan<char> digits, int radix)
    {
        foreach (char c in digits)
        {
            if (DigitValue(c) >= radix)
            {
                return false;
            }
        }

        return true;
    }

    private static int DigitValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => int.MaxValue,
    };

    /// <summary>Deviation: strtoull saturates at 2^64-1 on overflow; here a number beyond 64 bits is an error.</summary>
    private readonly ulong Accumulate(ReadOnlySpan<char> digits, int radix, in MceInjectToken token)
    {
        ulong value = 0;
        foreach (char c in digits)
        {
            int digit = DigitValue(c);
            Debug.Assert(digit < radix, "digits were validated before accumulation");
            if (value > (ulong.MaxValue - (ulong)digit) / (ulong)radix)
            {
                throw Error(token, "a number that fits in 64 bits");
            }

            value = (value * (ulong)radix) + (ulong)digit;
        }

        return value;
    }
}
