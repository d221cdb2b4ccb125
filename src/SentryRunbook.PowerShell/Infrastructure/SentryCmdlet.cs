using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using SentryRunbook.Errors;

namespace SentryRunbook.PowerShell.Infrastructure
{
    /// <summary>
    /// Base of every cmdlet: Ctrl+C cancels the work in flight, async work is awaited on the pipeline
    /// thread, verbose lines from other threads are written from here, and client exceptions become
    /// ErrorRecords with stable ids.
    /// </summary>
    public abstract class SentryCmdlet : PSCmdlet, IDisposable
    {
        private readonly CancellationTokenSource _stopping = new CancellationTokenSource();
        private readonly ConcurrentQueue<Action> _pipelineWork = new ConcurrentQueue<Action>();
        private readonly AutoResetEvent _signal = new AutoResetEvent(false);

        /// <summary>Cancelled by Ctrl+C (StopProcessing). PipelineStopToken exists only from PowerShell 7.6.</summary>
        protected CancellationToken StopToken => _stopping.Token;

        protected override void StopProcessing() => _stopping.Cancel();

        /// <summary>A sink for verbose lines that may be called from any thread; lines are written by <see cref="Await{T}"/>.</summary>
        internal void QueueVerbose(string message) => OnPipelineThread(() => WriteVerbose(message));

        /// <summary>A sink for warnings that may be called from any thread; written like <see cref="QueueVerbose"/>.</summary>
        internal void QueueWarning(string message) => OnPipelineThread(() => WriteWarning(message));

        /// <summary>Progress from concurrent work; written like <see cref="QueueVerbose"/>.</summary>
        internal void QueueProgress(ProgressRecord progress) => OnPipelineThread(() => WriteProgress(progress));

        /// <summary>Write* may only be called on the pipeline thread: other threads queue the call for <see cref="Await{T}"/> to run.</summary>
        private void OnPipelineThread(Action write)
        {
            _pipelineWork.Enqueue(write);
            _signal.Set();
        }

        /// <summary>
        /// Blocks the pipeline thread until the work completes, writing queued verbose lines as they come,
        /// and turns cancellation by Ctrl+C into PipelineStoppedException.
        /// </summary>
        protected T Await<T>(Func<CancellationToken, Task<T>> work)
        {
            // The client's verbose lines flow to this cmdlet through the async context of the work.
            Action<string>? previous = VerboseRelay.Current;
            VerboseRelay.Current = QueueVerbose;
            Task<T> task;
            try
            {
                task = Task.Run(() => work(_stopping.Token));
            }
            finally
            {
                VerboseRelay.Current = previous;
            }

            while (!task.IsCompleted)
            {
                WaitHandle.WaitAny(new[] { _signal, ((IAsyncResult)task).AsyncWaitHandle }, 250);
                FlushMessages();
            }

            FlushMessages();
            try
            {
                return task.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
        }

        private void FlushMessages()
        {
            while (_pipelineWork.TryDequeue(out Action? write))
            {
                write();
            }
        }

        /// <summary>
        /// Ends a progress bar; called from finally blocks, so that an error or Ctrl+C never leaves one on screen.
        /// Writing is refused once the pipeline is stopping: the host then clears the bar with the pipeline.
        /// </summary>
        protected void CompleteProgress(ProgressRecord? progress)
        {
            if (progress is null || progress.RecordType == ProgressRecordType.Completed) return;
            progress.RecordType = ProgressRecordType.Completed;
            try
            {
                WriteProgress(progress);
            }
            catch (PipelineStoppedException)
            {
            }
        }

        /// <summary>A failure that ends the command (no connection, bad token, bad configuration).</summary>
        protected void ThrowSentryError(SentryApiException error, object? target) =>
            ThrowTerminatingError(ErrorRecords.From(error, target));

        /// <summary>A failure for one input; the pipeline goes on with the next.</summary>
        protected void WriteSentryError(SentryApiException error, object? target) =>
            WriteError(ErrorRecords.From(error, target));

        public void Dispose()
        {
            _stopping.Dispose();
            _signal.Dispose();
            GC.SuppressFinalize(this);
        }
    }
}
