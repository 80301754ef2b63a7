-- grain: one row per review
select
    review_id,
    customer_id,
    order_id,
    product_id,
    reviewed_at,
    rating,
    coalesce(is_shared, false) as is_shared
from reviews
