// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title DelegateRegistry
/// @notice Delegates publish a pointer to their statement (a content URI such
///         as `ipfs://<cidv1>` plus the sha-256 digest of the document), the
///         topics they care about, and whether they are seeking delegation.
/// @dev Permissionless: each address controls only its own entry. The statement
///      text lives off-chain; the digest lets readers verify what they fetched.
///      Storage keeps only what a contract may need to read (digest, flag,
///      version, time: two slots); the URI and topics travel in the event,
///      which is where readers (the indexer) take them from. Limits are
///      constants so no one (not even governance) can grief readers.
contract DelegateRegistry {
    /// @notice Longest accepted statement URI, in bytes.
    uint256 public constant MAX_URI_LENGTH = 256;
    /// @notice Most topics one statement may list.
    uint256 public constant MAX_TOPICS = 8;
    /// @notice Longest accepted topic tag, in bytes.
    uint256 public constant MAX_TOPIC_LENGTH = 32;

    /// @notice What the chain keeps of a delegate's current statement.
    struct Statement {
        bytes32 digest;
        bool seekingDelegation;
        uint64 updatedAt;
        uint32 version;
    }

    mapping(address delegate => Statement) private _statements;

    /// @notice The statement URI is empty.
    error DelegateRegistryEmptyUri();
    /// @notice The statement URI is longer than `max` bytes.
    error DelegateRegistryUriTooLong(uint256 length, uint256 max);
    /// @notice The statement digest is zero.
    error DelegateRegistryEmptyDigest();
    /// @notice More than `max` topics were given.
    error DelegateRegistryTooManyTopics(uint256 count, uint256 max);
    /// @notice The topic at `index` is empty or longer than MAX_TOPIC_LENGTH.
    error DelegateRegistryInvalidTopic(uint256 index);
    /// @notice `delegate` has no statement to change or clear.
    error DelegateRegistryNoStatement(address delegate);

    /// @notice `delegate` published (or replaced) its statement.
    event StatementPublished(
        address indexed delegate,
        string uri,
        bytes32 digest,
        string[] topics,
        bool seekingDelegation,
        uint32 version
    );
    /// @notice `delegate` changed only its seeking-delegation flag.
    event SeekingDelegationChanged(address indexed delegate, bool previous, bool current);
    /// @notice `delegate` removed its statement.
    event StatementCleared(address indexed delegate, uint32 lastVersion);

    /// @notice Publish or replace the caller's statement.
    /// @param uri Where the statement document lives (e.g. `ipfs://<cid>`); emitted, not stored.
    /// @param digest sha-256 of the statement document's bytes.
    /// @param topics Short topic tags (at most MAX_TOPICS, each 1..MAX_TOPIC_LENGTH bytes); emitted, not stored.
    /// @param seekingDelegation Whether the caller asks for delegations.
    function publishStatement(
        string calldata uri,
        bytes32 digest,
        string[] calldata topics,
        bool seekingDelegation
    ) external {
        uint256 uriLength = bytes(uri).length;
        if (uriLength == 0) revert DelegateRegistryEmptyUri();
        if (uriLength > MAX_URI_LENGTH) revert DelegateRegistryUriTooLong(uriLength, MAX_URI_LENGTH);
        if (digest == bytes32(0)) revert DelegateRegistryEmptyDigest();
        uint256 topicCount = topics.length;
        if (topicCount > MAX_TOPICS) revert DelegateRegistryTooManyTopics(topicCount, MAX_TOPICS);
        for (uint256 i = 0; i < topicCount; ++i) {
            uint256 topicLength = bytes(topics[i]).length;
            if (topicLength == 0 || topicLength > MAX_TOPIC_LENGTH) {
                revert DelegateRegistryInvalidTopic(i);
            }
        }

        Statement storage statement = _statements[msg.sender];
        uint32 version = statement.version + 1;
        statement.digest = digest;
        statement.seekingDelegation = seekingDelegation;
        statement.updatedAt = uint64(block.timestamp);
        statement.version = version;
        emit StatementPublished(msg.sender, uri, digest, topics, seekingDelegation, version);
    }

    /// @notice Change only whether the caller is seeking delegation.
    /// @param seekingDelegation The new flag.
    function setSeekingDelegation(bool seekingDelegation) external {
        Statement storage statement = _statements[msg.sender];
        if (statement.digest == bytes32(0)) revert DelegateRegistryNoStatement(msg.sender);
        bool previous = statement.seekingDelegation;
        statement.seekingDelegation = seekingDelegation;
        statement.updatedAt = uint64(block.timestamp);
        emit SeekingDelegationChanged(msg.sender, previous, seekingDelegation);
    }

    /// @notice Remove the caller's statement.
    function clearStatement() external {
        Statement storage statement = _statements[msg.sender];
        if (statement.digest == bytes32(0)) revert DelegateRegistryNoStatement(msg.sender);
        uint32 lastVersion = statement.version;
        statement.digest = bytes32(0);
        statement.seekingDelegation = false;
        statement.updatedAt = uint64(block.timestamp);
        // The version counter stays so a later statement does not reuse a number.
        emit StatementCleared(msg.sender, lastVersion);
    }

    /// @notice What the chain keeps of `delegate`'s statement (zero digest when none).
    /// @dev The URI and topics are in the latest StatementPublished event.
    /// @param delegate The delegate's address.
    function statementOf(address delegate) external view returns (Statement memory) {
        return _statements[delegate];
    }

    /// @notice Whether `delegate` currently has a statement.
    /// @param delegate The delegate's address.
    function hasStatement(address delegate) external view returns (bool) {
        return _statements[delegate].digest != bytes32(0);
    }
}
