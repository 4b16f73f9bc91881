namespace Asl.Distributed.Training.Metrics;

/// <summary>
/// The k best (score, class) pairs of each of a slice's rows, kept in descending score order by insertion; k is
/// small in practice (1–10), where this beats any heap. A new score enters only if strictly greater than the
/// weakest kept one, and goes after equal ones, so among ties the class offered first stays.
/// </summary>
internal sealed class TopList(int maxRows, int k)
{
    private readonly float[] _scores = new float[maxRows * k];
    private readonly int[] _classes = new int[maxRows * k];
    private readonly int[] _filled = new int[maxRows];

    /// <summary>Empties the lists of rows [0, rows).</summary>
    public void Reset(int rows) => Array.Clear(_filled, 0, rows);

    /// <summary>The score a newcomer to row r's list must exceed: its weakest entry, or −∞ while not full.</summary>
    public float Weakest(int row) => _filled[row] == k ? _scores[row * k + k - 1] : float.NegativeInfinity;

    /// <summary>Offers class c with the given score to row r's list.</summary>
    public void Offer(int row, float score, int c)
    {
        var scores = _scores.AsSpan(row * k, k);
        var classes = _classes.AsSpan(row * k, k);
        int filled = _filled[row];
        if (filled == k && !(score > scores[k - 1]))
        {
            return;
        }

        // When full the weakest entry falls off.
        int position = filled < k ? filled : k - 1;
        _filled[row] = Math.Min(filled + 1, k);
        while (position > 0 && scores[position - 1] < score)
        {
            scores[position] = scores[position - 1];
            classes[position] = classes[position - 1];
            position--;
        }

        scores[position] = score;
        classes[position] = c;
    }

    /// <summary>Row r's chosen classes (all k once every class has been offered).</summary>
    public ReadOnlySpan<int> Classes(int row) => _classes.AsSpan(row * k, _filled[row]);
}
