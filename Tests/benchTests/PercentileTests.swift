import Testing
@testable import bench
