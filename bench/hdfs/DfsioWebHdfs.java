import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * TestDFSIO's work without MapReduce, through Hadoop's own WebHDFS client (WebHdfsFileSystem): nrFiles files of
 * sizeMiB each, one thread per file, writing (or reading) the whole file with a bufferSize buffer, exactly as a
 * TestDFSIO map task does. Prints TestDFSIO's three figures and one JSON line.
 *
 * Usage: java -cp "$HADOOP_LIB/*" DfsioWebHdfs.java webhdfs://127.0.0.1:9870 /dir write|read nrFiles sizeMiB [bufferSize]
 * (HADOOP_USER_NAME sets the user.name sent to the NameNode.)
 */
public class DfsioWebHdfs {
  public static void main(String[] args) throws Exception {
    URI uri = URI.create(args[0]);
    Path dir = new Path(args[1]);
    boolean write = args[2].equals("write");
    int nrFiles = Integer.parseInt(args[3]);
    long size = Long.parseLong(args[4]) * 1024 * 1024;
    int bufferSize = args.length > 5 ? Integer.parseInt(args[5]) : 1024 * 1024;
    Configuration conf = new Configuration();
    FileSystem fs = FileSystem.get(uri, conf);
    byte[] buffer = new byte[bufferSize];
    new Random(42).nextBytes(buffer);

    ExecutorService pool = Executors.newFixedThreadPool(nrFiles);
    List<Future<Long>> tasks = new ArrayList<>();
    // The process's CPU time (every thread: readers, GC, JIT) over the I/O, as storbench's clientCpu measures its own.
    com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    for (int i = 0; i < nrFiles; i++) {
      Path file = new Path(dir, "file_" + i);
      tasks.add(pool.submit(() -> {
        long start = System.nanoTime();
        byte[] local = buffer.clone();
        if (write) {
          try (OutputStream out = fs.create(file, true, bufferSize)) {
            for (long left = size; left > 0; left -= bufferSize) out.write(local, 0, (int) Math.min(bufferSize, left));
          }
        } else {
          long total = 0;
          try (InputStream in = fs.open(file, bufferSize)) {
            for (int n; (n = in.read(local, 0, bufferSize)) > 0; ) total += n;
          }
          if (total != size) throw new IllegalStateException(file + ": read " + total + " of " + size + " bytes");
        }
        return System.nanoTime() - start;
      }));
    }
    double sumSec = 0, sumRate = 0;
    try {
      for (Future<Long> f : tasks) {
        double sec = f.get() / 1e9;
        sumSec += sec;
        sumRate += (size / 1048576.0) / sec;
      }
    } finally {
      pool.shutdownNow(); // a failed task must end the JVM too, not leave the pool's threads keeping it alive
    }
    double wallSec = (System.nanoTime() - t0) / 1e9;
    double cpuUsPerMiB = (os.getProcessCpuTime() - cpu0) / 1e3 / (nrFiles * (size / 1048576.0));
    fs.close();
    double totalMiB = nrFiles * (size / 1048576.0);
    // TestDFSIO: "Throughput mb/sec" = total MB / sum of task times; "Average IO rate" = mean of per-file rates.
    double throughput = totalMiB / sumSec;
    double avgIoRate = sumRate / nrFiles;
    double aggregate = totalMiB / wallSec;
    System.out.printf("----- DfsioWebHdfs (Hadoop WebHdfsFileSystem) : %s%n", write ? "write" : "read");
    System.out.printf("Number of files: %d%nTotal MBytes processed: %.0f%nThroughput mb/sec: %.2f%nAverage IO rate mb/sec: %.2f%nAggregate mb/sec: %.2f%nTest exec time sec: %.2f%n",
        nrFiles, totalMiB, throughput, avgIoRate, aggregate, wallSec);
    System.out.printf("Client CPU us/MiB: %.0f%n", cpuUsPerMiB);
    System.out.printf("{\"op\":\"%s\",\"files\":%d,\"mib\":%.0f,\"throughputMiBps\":%.3f,\"avgIoRateMiBps\":%.3f,\"aggregateMiBps\":%.3f,\"seconds\":%.3f,\"cpuUsPerMiB\":%.1f}%n",
        write ? "write" : "read", nrFiles, totalMiB, throughput, avgIoRate, aggregate, wallSec, cpuUsPerMiB);
  }
}
