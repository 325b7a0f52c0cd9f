using System.Globalization;
using System.Text;
using ScottPlot;

namespace Mca.Cli.Output;

/// <summary>
/// Plots as small multiples: one panel per series, a panel below the other, each with its own y axis from zero, so
/// series whose counts differ by orders of magnitude stay readable. PNG (panels drawn onto one bitmap) or SVG (one SVG
/// of nested SVGs, also what the HTML report inlines).
/// </summary>
internal static class SmallMultiples
{
    public const int Width = 1000;
    public const int PanelHeight = 300;

    /// <summary>Writes the panels to <paramref name="stream"/>, PNG or SVG by <paramref name="path"/>'s extension.</summary>
    public static void Save(Stream stream, string path, IReadOnlyList<Plot> panels)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(panels);
        if (string.Equals(Path.GetExtension(path), ".svg", StringComparison.OrdinalIgnoreCase))
        {
            stream.Write(new UTF8Encoding(false).GetBytes(Svg(panels)));
            return;
        }

        int height = PanelHeight * Math.Max(1, panels.Count);
        using var bitmap = new SkiaSharp.SKBitmap(Width, height);
        using (var canvas = new SkiaSharp.SKCanvas(bitmap))
        {
            canvas.Clear(SkiaSharp.SKColors.White);
            for (int i = 0; i < panels.Count; i++)
            {
                using var image = panels[i].GetImage(Width, PanelHeight);
                using var panel = SkiaSharp.SKBitmap.Decode(image.GetImageBytes(ImageFormat.Png));
                canvas.DrawBitmap(panel, 0, i * PanelHeight);
            }
        }

        using var encoded = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        stream.Write(encoded.AsSpan());
    }

    /// <summary>One SVG document holding every panel, a panel below the other.</summary>
    public static string Svg(IReadOnlyList<Plot> panels)
    {
        ArgumentNullException.ThrowIfNull(panels);
        var inv = CultureInfo.InvariantCulture;
        int height = PanelHeight * Math.Max(1, panels.Count);
        var svg = new StringBuilder();
        svg.Append(inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\">\n");
        for (int i = 0; i < panels.Count; i++)
        {
            string inner = panels[i].GetSvgXml(Width, PanelHeight);
            int open = inner.IndexOf("<svg", StringComparison.Ordinal);
            // A panel's own XML declaration cannot stand inside another document: from its <svg on.
            svg.Append("<svg").Append(inv, $" x=\"0\" y=\"{i * PanelHeight}\"").Append(inner.AsSpan(open + 4)).Append('\n');
        }

        svg.Append("</svg>\n");
        return svg.ToString();
    }
}
