namespace ProcedureTracker.Cli;

/// <summary>Reports upload progress on standard error while the file streams to the server (a bar on a terminal).</summary>
public sealed class ProgressStream(Stream inner, TextWriter output) : Stream
{
    private readonly long _length = inner.Length;
    private long _read;
    private int _lastPercent = -1;
    private readonly bool _terminal = !Console.IsErrorRedirected;

    public override int Read(byte[] buffer, int offset, int count) => Report(inner.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => Report(await inner.ReadAsync(buffer, ct));

    private int Report(int n)
    {
        _read += n;
        var percent = _length == 0 ? 100 : (int)(_read * 100 / _length);
        if (percent != _lastPercent && (_terminal || percent % 25 == 0))
        {
            _lastPercent = percent;
            var bar = new string('#', percent / 4).PadRight(25, '.');
            output.Write(_terminal ? $"\rsending [{bar}] {percent,3}% of {_length / 1024.0 / 1024.0:0.0} MB" : $"sent {percent}%\n");
        }
        return n;
    }

    /// <summary>Ends the progress line; the server has answered.</summary>
    public void Finish()
    {
        if (_terminal) output.WriteLine();
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => _length;
    public override long Position { get => _read; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    protected override void Dispose(bool disposing) { if (disposing) inner.Dispose(); base.Dispose(disposing); }
}
