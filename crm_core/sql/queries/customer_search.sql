-- Customers matching a search: the exact id, the full e-mail address (any case), the full
-- phone number (digits only), or a part of the name. Contacts match only in full, so the
-- search cannot be used to enumerate addresses; the page shows them masked.
with matches as (
    select
        features.customer_id,
        case
            when features.customer_id = $search_id then 'id'
            when lower(features.email) = $search_text then 'email'
            when length($search_digits) >= 7
                and regexp_replace(coalesce(features.phone, ''), '[^0-9]', '', 'g') = $search_digits then 'phone'
            else 'name'
        end as matched_on
    from customer_features as features
    where features.customer_id = $search_id
        or lower(features.email) = $search_text
        or (
            length($search_digits) >= 7
            and regexp_replace(coalesce(features.phone, ''), '[^0-9]', '', 'g') = $search_digits
        )
        or (length($search_text) > 0 and contains(lower(features.customer_name), $search_text))
),

final as (
    select
        features.customer_id,
        features.customer_name,
        features.email,
        features.phone,
        features.city,
        features.region,
        features.membership_tier,
        features.signed_up_on,
        matches.matched_on
    from matches
    inner join customer_features as features on features.customer_id = matches.customer_id
)

select * from final
order by case matched_on when 'name' then 1 else 0 end, customer_id
limit $max_rows
