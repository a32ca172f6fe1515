import Foundation

/// A user as the shard stores it: the PHC password hash and the user's sessions in creation order.
struct UserState: Sendable, Equatable {
    let id: UUID
    let name: String
    let email: String
    var passwordHash: String
    let createdAt: Timestamp
    var sessionIDs: [UUID]

    var view: UserView { UserView(id: id, name: name, email: email, createdAt: createdAt) }
}
