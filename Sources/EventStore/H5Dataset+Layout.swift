import CHDF5
import Support

extension H5Dataset {
    /// True for an HDF5 virtual dataset (one stitched from datasets in other files, as
    /// `latentsim generate` writes its master). HDF5's MPI-IO driver cannot read those
    /// ("parallel reads not supported on virtual datasets"), so readers fall back to opening the
    /// file on each rank alone and reading their rows independently.
    var isVirtual: Bool {
        get throws {
            let dcpl = try H5ID.make(H5Dget_create_plist(id), "H5Dget_create_plist('\(name)')", close: H5Pclose)
            let layout = H5Pget_layout(dcpl.id)
            try HDF5.check(layout.rawValue, "H5Pget_layout('\(name)')")
            return layout == H5D_VIRTUAL
        }
    }
}
