using System.Text.RegularExpressions;
using Grpc.Core;

namespace Asl.Distributed.Coordinator.Api;

/// <summary>
/// Checks of request fields; each failure is INVALID_ARGUMENT naming the field and what is allowed, before any grain
/// is called, so a bad message changes nothing.
/// </summary>
internal static partial class RequestChecks
{
    public const int MaxIdLength = 128;

    /// <summary>Worker ids: letters, digits, '.', '-', '_'.</summary>
    public static string WorkerId(string value, string field) => Identifier(value, field);

    /// <summary>Trial and sweep ids: the same alphabet as worker ids.</summary>
    public static string Identifier(string value, string field)
    {
        if (value.Length is 0 or > MaxIdLength || !IdentifierPattern().IsMatch(value))
            throw Invalid(field, $"'{Shorten(value)}' is not an id; allowed: 1 to {MaxIdLength} letters, digits, '.', '-' or '_'");
        return value;
    }

    public static string Text(string value, string field, int maxLength, bool required = true)
    {
        if (required && value.Length == 0)
            throw Invalid(field, "is required");
        if (value.Length > maxLength)
            throw Invalid(field, $"is {value.Length} characters long; allowed: at most {maxLength}");
        return value;
    }

    public static int Range(int value, string field, int min, int max)
    {
        if (value < min || value > max)
            throw Invalid(field, $"{value} is out of range; allowed: an integer in [{min}, {max}]");
        return value;
    }

    /// <summary>A <c>host:port</c> endpoint (a bracketed IPv6 host allowed).</summary>
    public static string Endpoint(string value, string field)
    {
        int colon = value.LastIndexOf(':');
        bool valid = colon > 0 && colon < value.Length - 1
            && int.TryParse(value.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int port)
            && port is > 0 and <= 65535
            && value.Length <= 300;
        if (!valid)
            throw Invalid(field, $"'{Shorten(value)}' is not an endpoint; allowed: host:port with a port in [1, 65535]");
        return value;
    }

    public static RpcException Invalid(string field, string message) =>
        new(new Status(StatusCode.InvalidArgument, $"{field}: {message}"));

    private static string Shorten(string value) => value.Length <= 64 ? value : value[..64] + "…";

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex IdentifierPattern();
}
