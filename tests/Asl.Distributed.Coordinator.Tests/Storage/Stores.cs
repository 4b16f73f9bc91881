using Asl.Distributed.Coordinator.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Asl.Distributed.Coordinator.Tests.Storage;

/// <summary>Opening stores and looking into their files the way a tool other than the store would.</summary>
internal static class Stores
{
    public static SqliteStore Open(string path, TimeProvider? time = null) =>
        SqliteStore.Open(path, TimeSpan.FromSeconds(30), time ?? TimeProvider.System, NullLogger.Instance);

    /// <summary>A connection of SQLite's own, not pooled, so that closing it really closes the file.</summary>
    public static SqliteConnection Raw(string path, SqliteOpenMode mode = SqliteOpenMode.ReadWriteCreate)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    public static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    public static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Every line of PRAGMA quick_check, read through a read-only connection.</summary>
    public static List<string> QuickCheck(string path)
    {
        using var connection = Raw(path, SqliteOpenMode.ReadOnly);
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA quick_check";
        using var reader = command.ExecuteReader();
        var lines = new List<string>();
        while (reader.Read())
        {
            lines.Add(reader.GetString(0));
        }

        return lines;
    }
}
